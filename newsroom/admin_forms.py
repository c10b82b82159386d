"""Building blocks shared by the apps' admins."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.html import escape


class PlainHelpTexts(admin.options.BaseModelAdmin):
    """Model help texts are plain text ("/speakers/<slug>/", "[[quote:<key>]]"), but the
    admin shows help text as HTML, where "<slug>" vanished as an unknown tag. Escaped
    here, for every field a model gives the admin."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and formfield.help_text == db_field.help_text:
            formfield.help_text = escape(formfield.help_text)
        return formfield
