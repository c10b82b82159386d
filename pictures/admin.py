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
