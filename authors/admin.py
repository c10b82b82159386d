from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from authors.models import Author, AuthorLink
from disclosures.models import AuthorInterest
from disclosures.signals import register_changed
from newsroom.admin_forms import (
    HTTPS_URLS,
    EditorsChangeWhatReadersSee,
    SafeAutocomplete,
    ShowsMediaWriteErrors,
)
from newsroom.forms import CleanTextAdmin


class AuthorLinkInline(CleanTextAdmin, admin.TabularInline):
    model = AuthorLink
    formfield_overrides = HTTPS_URLS
    extra = 1


class AuthorInterestInline(CleanTextAdmin, SafeAutocomplete, admin.TabularInline):
    model = AuthorInterest
    extra = 0
    autocomplete_fields = ["organisation"]
    verbose_name_plural = (
        "Register of interests (shown on the author page and on their articles about "
        "the organisation, as of publication)"
    )


@admin.register(Author)
class AuthorAdmin(EditorsChangeWhatReadersSee, ShowsMediaWriteErrors):
    list_display = ["name", "job_title", "slug", "user"]
    search_fields = ["name", "job_title", "expertise"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    readonly_fields = ["photo_preview"]
    fields = ["name", "slug", "job_title", "bio", "photo", "photo_preview", "expertise", "user"]
    inlines = [AuthorLinkInline, AuthorInterestInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Scheduled articles must go out with the interests as they now stand.
        if any(formset.model is AuthorInterest and formset.has_changed() for formset in formsets):
            register_changed.send(sender=AuthorInterest)

    class Media:
        css = {"all": ["admin/articles/article_form.css"]}

    @admin.display(description="Current photo")
    def photo_preview(self, obj: Author) -> str:
        if not obj.photo:
            return "—"
        # A class, not a style attribute: the Content-Security-Policy refuses inline styles.
        return format_html(
            '<img src="{}" alt="" class="image-preview image-preview--160">', obj.photo.url
        )
