from typing import Any

from django.contrib import admin
from django.utils.html import format_html

from newsroom.admin_forms import EditorsChangeWhatReadersSee, ShowsMediaWriteErrors
from pictures.models import Image


def image_preview(image: Image | None, size: int = 160) -> str:
    if not image or not image.file:
        return "—"
    # A class, not a style attribute: the Content-Security-Policy refuses inline styles.
    return format_html(
        '<img src="{}" alt="{}" class="image-preview image-preview--{}">',
        image.file.url,
        image.alt_text,
        size,
    )


@admin.register(Image)
class ImageAdmin(EditorsChangeWhatReadersSee, ShowsMediaWriteErrors):
    list_display = ["thumbnail", "key", "alt_text", "caption", "credit", "created_at"]
    list_filter = ["is_decorative", "created_at"]
    search_fields = ["key", "alt_text", "caption", "credit"]
    prepopulated_fields = {"key": ["caption"]}
    readonly_fields = ["preview", "width", "height", "source_url"]
    fields = [
        "file",
        "preview",
        "source_url",
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

    def get_form(
        self, request: Any, obj: Image | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        # Only an import leaves an image without its picture (pages show a placeholder):
        # an editor adds or keeps one with it, and may correct a missing one's words.
        if "file" in form.base_fields:
            form.base_fields["file"].required = obj is None or bool(obj.file)
        return form

    @admin.display(description="Image")
    def thumbnail(self, obj: Image) -> str:
        return image_preview(obj, 80)

    @admin.display(description="Preview")
    def preview(self, obj: Image) -> str:
        return image_preview(obj, 400)
