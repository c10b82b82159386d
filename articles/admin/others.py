"""The admins of the other models articles holds: images, disclosures, organisations
and speakers."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from articles.admin.common import (
    HTTPS_URLS,
    EditorsChangeWhatReadersSee,
    SafeAutocomplete,
    ShowsMediaWriteErrors,
    image_preview,
)
from articles.models import Disclosure, Image, Organisation, Speaker
from articles.services import record_upcoming_disclosures
from newsroom.forms import CleanTextAdmin


@admin.register(Image)
class ImageAdmin(EditorsChangeWhatReadersSee, ShowsMediaWriteErrors):
    list_display = ["thumbnail", "key", "alt_text", "caption", "credit", "created_at"]
    list_filter = ["is_decorative", "created_at"]
    search_fields = ["key", "alt_text", "caption", "credit"]
    prepopulated_fields = {"key": ["caption"]}
    readonly_fields = ["preview", "width", "height"]
    fields = [
        "file",
        "preview",
        "width",
        "height",
        "caption",
        "key",
        "alt_text",
        "is_decorative",
        "credit",
    ]

    class Media:
        css = {"all": ["admin/articles/article_form.css"]}

    @admin.display(description="Image")
    def thumbnail(self, obj: Image) -> str:
        return image_preview(obj, 80)

    @admin.display(description="Preview")
    def preview(self, obj: Image) -> str:
        return image_preview(obj, 400)


@admin.register(Disclosure)
class DisclosureAdmin(CleanTextAdmin, SafeAutocomplete, admin.ModelAdmin):
    list_display = ["statement", "organisation", "kind", "valid_from", "valid_until", "article"]
    list_filter = ["kind", "valid_from", "organisation"]
    search_fields = ["statement", "organisation__name"]
    autocomplete_fields = ["organisation", "article"]
    list_select_related = ["organisation", "article"]

    # Scheduled articles go out with the register as it stands when they go live;
    # published ones keep what they carried (articles/services.py).
    def save_model(self, request: HttpRequest, obj: Disclosure, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_upcoming_disclosures()

    def delete_model(self, request: HttpRequest, obj: Disclosure) -> None:
        super().delete_model(request, obj)
        record_upcoming_disclosures()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Disclosure]) -> None:
        super().delete_queryset(request, queryset)
        record_upcoming_disclosures()


@admin.register(Organisation)
class OrganisationAdmin(CleanTextAdmin, EditorsChangeWhatReadersSee, SafeAutocomplete):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "tag", "url"]
    search_fields = ["name", "tag__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["tag"]
    list_select_related = ["tag"]


@admin.register(Speaker)
class SpeakerAdmin(CleanTextAdmin, EditorsChangeWhatReadersSee, SafeAutocomplete):
    list_display = ["name", "kind", "description", "organisation", "author"]
    list_filter = ["kind", "organisation"]
    search_fields = ["name", "description", "organisation__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation", "author"]
    list_select_related = ["organisation", "author"]
