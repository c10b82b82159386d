"""Building blocks shared by the apps' admins."""

import contextlib
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import escape

from newsroom.forms import CleanTextAdmin
from newsroom.hooks import Hook
from newsroom.storage import MediaWriteError


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


# A link typed without a scheme means https (Django 6's default, chosen now).
HTTPS_URLS: dict[type[models.Field], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


class ForgedIdsIgnored(AutocompleteSelect):
    """Django's autocomplete widget looks the submitted value up to show it again; a
    value that is no id at all ("abc", from a forged post) or past the column's range
    made that lookup raise, so the admin answered 500 instead of "Select a valid
    choice"."""

    def optgroups(self, name: str, value: Sequence[str], attr: Any = None) -> Any:
        remote = self.field.remote_field
        target = remote.model._meta.get_field(remote.field_name)
        ids = []
        for item in value:
            with contextlib.suppress(ValidationError):
                python_value = target.to_python(item)
                target.run_validators(python_value)  # the column's integer range
                ids.append(str(python_value))
        return super().optgroups(name, ids, attr)


class SafeAutocomplete(PlainHelpTexts):
    """Autocomplete fields whose widget survives a forged value (ForgedIdsIgnored).
    Every admin and inline with autocomplete_fields uses it (tests/test_hostile_input.py
    posts a forged value to each)."""

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ForgedIdsIgnored(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ShowsMediaWriteErrors(CleanTextAdmin, SafeAutocomplete, admin.ModelAdmin):
    """An upload that media storage cannot take (a full disk) gives the form back with
    the reason on the file field, not a 500. The admin's transaction has rolled back by
    then, and the storage kept nothing of the file (newsroom.storage)."""

    MEDIA_WRITE_ERROR = (
        "The file could not be stored: the media storage is full or refused it. Nothing "
        "was saved. Try again later, and tell whoever runs the site if it happens again."
    )

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except MediaWriteError:
            # The same post again, now refused by the form: the editor keeps what they typed.
            request.media_write_failed = True  # type: ignore[attr-defined]
            return super().changeform_view(request, *args, **kwargs)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form_class = super().get_form(request, obj, change, **kwargs)
        if not getattr(request, "media_write_failed", False):
            return form_class
        message = self.MEDIA_WRITE_ERROR

        class RefusedByStorage(form_class):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                # The upload passed every check on the first try, and the failed write
                # used it up: judged again, it would look like a damaged picture.
                for name in self.files:
                    if name in self.fields:
                        self.fields[name] = NotStored(message, self.fields[name])

        return RefusedByStorage


class NotStored(forms.FileField):
    """An upload field whose file media storage refused: the field shows as before, and
    its only error is the storage's."""

    def __init__(self, message: str, field: forms.Field) -> None:
        super().__init__(
            required=field.required,
            label=field.label,
            help_text=field.help_text,
            widget=field.widget,
        )
        self.message = message

    def clean(self, data: Any, initial: Any = None) -> Any:
        raise ValidationError(self.message, code="not_stored")


class EditorsChangeWhatReadersSee(PlainHelpTexts, admin.ModelAdmin):
    """Images, authors, speakers and organisations that a published article shows are
    changed and deleted by editors only (services.can_change): anyone else gets the
    record read-only, with the reason, and a post to it is refused without saving.
    Model permissions still apply first. The rule is change_rule's answer.
    Based on PlainHelpTexts so that the read-only record's help texts are escaped
    whatever order an admin lists its bases in (ModelAdmin's get_form comes after)."""

    def _locked(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None:
            return False
        # Django asks several times while building one page, and each answer costs
        # queries: it is worked out once per request and record.
        answers = request.__dict__.setdefault("can_change_answers", {})
        key = (obj._meta.label, obj.pk)
        if key not in answers:
            answers[key] = change_rule(request.user, obj)
        return not answers[key]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and not self._locked(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and not self._locked(request, obj)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        # Only where the model permission alone would have let the change through.
        if super().has_change_permission(request, obj) and self._locked(request, obj):
            reason = (
                f"Only an editor can change this {self.opts.verbose_name}: a published or "
                "scheduled article shows it to readers, and a change would reach them "
                "without review."
            )
            if request.method == "POST":
                self.message_user(request, f"Not saved. {reason}", messages.ERROR)
                return redirect(request.get_full_path())
            # After a refused post its message says it all.
            if not any(reason in str(message) for message in messages.get_messages(request)):
                self.message_user(request, reason, messages.WARNING)
        return super().changeform_view(request, object_id, *args, **kwargs)


# Who may change a record that readers may see through a published article: only the
# articles app knows what is published, and it sits above the apps whose admins ask
# (pictures, authors, quotes, disclosures).
change_rule: Hook[[Any, Any], bool] = Hook("who may change a record readers see")
