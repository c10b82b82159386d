from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from newsroom.admin_forms import SafeAutocomplete
from newsroom.forms import CleanTextAdmin
from reader.models import MenuItem


@admin.register(MenuItem)
class MenuItemAdmin(CleanTextAdmin, SafeAutocomplete, admin.ModelAdmin):
    """The section menu: editors order it by number on the list itself."""

    list_display = ["__str__", "target", "position"]
    list_display_links = ["__str__"]
    list_editable = ["position"]
    list_filter = ["target"]
    search_fields = ["label", "topic__name", "page__title"]
    autocomplete_fields = ["topic", "page"]
    fields = ["target", "topic", "kind", "page", "label", "position"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MenuItem]:
        return super().get_queryset(request).select_related("topic", "page")
