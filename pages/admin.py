from collections.abc import Sequence

from django.contrib import admin
from django.http import HttpRequest

from newsroom.admin_forms import PlainHelpTexts
from newsroom.forms import CleanTextAdmin
from pages.models import Page


@admin.register(Page)
class PageAdmin(CleanTextAdmin, PlainHelpTexts, admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]
    list_filter = ["updated_at"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}

    def get_readonly_fields(self, request: HttpRequest, obj: Page | None = None) -> list[str]:
        # The footer and the structured data link policy pages by their fixed address.
        if obj is not None and obj.is_policy:
            return ["slug"]
        return []

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Page | None = None
    ) -> dict[str, Sequence[str]]:
        return {} if obj is not None and obj.is_policy else dict(self.prepopulated_fields)

    def has_delete_permission(self, request: HttpRequest, obj: Page | None = None) -> bool:
        if obj is not None and obj.is_policy:
            return False
        return super().has_delete_permission(request, obj)
