from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from disclosures.models import Disclosure, Organisation
from disclosures.signals import register_changed
from newsroom.admin_forms import HTTPS_URLS, EditorsChangeWhatReadersSee, SafeAutocomplete
from newsroom.forms import CleanTextAdmin


@admin.register(Disclosure)
class DisclosureAdmin(CleanTextAdmin, SafeAutocomplete, admin.ModelAdmin):
    list_display = ["statement", "organisation", "kind", "valid_from", "valid_until", "article"]
    list_filter = ["kind", "valid_from", "organisation"]
    search_fields = ["statement", "organisation__name"]
    autocomplete_fields = ["organisation", "article"]
    list_select_related = ["organisation", "article"]

    # Scheduled articles go out with the register as it stands when they go live;
    # published ones keep what they carried (articles.services listens).
    def save_model(self, request: HttpRequest, obj: Disclosure, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        register_changed.send(sender=Disclosure)

    def delete_model(self, request: HttpRequest, obj: Disclosure) -> None:
        super().delete_model(request, obj)
        register_changed.send(sender=Disclosure)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Disclosure]) -> None:
        super().delete_queryset(request, queryset)
        register_changed.send(sender=Disclosure)


@admin.register(Organisation)
class OrganisationAdmin(CleanTextAdmin, EditorsChangeWhatReadersSee, SafeAutocomplete):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "tag", "url"]
    search_fields = ["name", "tag__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["tag"]
    list_select_related = ["tag"]
