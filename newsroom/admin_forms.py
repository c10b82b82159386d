"""Building blocks shared by the apps' admins."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.html import escape


def escaped_help_texts(model: type[models.Model]) -> dict[str, str]:
    """The model's help texts, escaped: what read-only fields show, since Django takes a
    read-only field's help text from the form's Meta.help_texts, else from the model."""
    return {field.name: escape(field.help_text) for field in model._meta.fields if field.help_text}


class PlainHelpTexts(admin.options.BaseModelAdmin):
    """Model help texts are plain text ("/speakers/<slug>/", "[[quote:<key>]]"), but the
    admin shows help text as HTML, where "<slug>" vanished as an unknown tag. Escaped
    here, for every field a model gives the admin, editable or read-only."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and formfield.help_text == db_field.help_text:
            formfield.help_text = escape(formfield.help_text)
        return formfield

    # Both, since the mixin serves model admins (get_form) and inlines (get_formset);
    # the superclass it is mixed into has the one Django calls.
    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        help_texts = {**escaped_help_texts(self.model), **kwargs.pop("help_texts", {})}
        return super().get_form(request, obj, change, help_texts=help_texts, **kwargs)  # type: ignore[misc]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        help_texts = {**escaped_help_texts(self.model), **kwargs.pop("help_texts", {})}
        return super().get_formset(request, obj, help_texts=help_texts, **kwargs)  # type: ignore[misc]
