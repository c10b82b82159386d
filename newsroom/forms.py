"""Form fields and an admin mixin that clean what editors type or paste (newsroom.text)."""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from newsroom.text import clean_text


class CleanCharField(forms.CharField):
    """A text field that removes the characters XML forbids before it reads the value,
    so a pasted vertical tab never reaches the database, and from there a feed. Also
    put in front of any other text field class (see CleanTextAdmin)."""

    def to_python(self, value: Any) -> Any:
        return super().to_python(clean_text(value) if isinstance(value, str) else value)


@functools.cache
def _cleaning(field_class: type[forms.CharField]) -> type[forms.CharField]:
    if issubclass(field_class, CleanCharField):
        return field_class
    return type(field_class.__name__, (CleanCharField, field_class), {})


class CleanTextAdmin(admin.options.BaseModelAdmin):
    """Every text field of an admin's forms (char, text, slug, URL, topics) cleans its
    input. Each field keeps the form class Django or the admin chose (a URL field stays
    a URL field), with the cleaning in front of its own to_python."""

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(field, forms.CharField):
            # The same field under a class with the cleaning in front: it keeps every
            # argument it was built with (length, widget, URL scheme, empty value).
            # A class is hashable; mypy takes type(field)'s __hash__ for the instances' one.
            field.__class__ = _cleaning(type(field))  # type: ignore[arg-type]
        return field
