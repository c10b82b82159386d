from django.contrib import admin
from django.utils.html import format_html

from articles.admin import HTTPS_URLS
from authors.models import Author, AuthorLink


class AuthorLinkInline(admin.TabularInline):
    model = AuthorLink
    formfield_overrides = HTTPS_URLS
    extra = 1


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "slug", "user"]
    search_fields = ["name", "job_title", "expertise"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    readonly_fields = ["photo_preview"]
    fields = ["name", "slug", "job_title", "bio", "photo", "photo_preview", "expertise", "user"]
    inlines = [AuthorLinkInline]

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
