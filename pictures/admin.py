from typing import Any

from django.contrib import admin
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from newsroom.admin_forms import EditorsChangeWhatReadersSee, ShowsMediaWriteErrors
from newsroom.markdown import marker_keys
from pictures.models import UNSORTED_RENDITIONS, Image
from pictures.renditions import Crop, Format, renditions_of


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


def used_images() -> Q:
    """The images some article shows: as its lead image, or placed in its body by a
    marker (marker_keys: a line of its own). The bodies with a marker are read once and
    their keys gathered here: a LIKE per image in SQL read every body once per image
    (5.7 s for 200 images and 10,000 articles on SQLite). Articles are reached through
    the lead image's key: pictures imports no app above it (docs/architecture.md)."""
    articles: Any = Image._meta.get_field("lead_of").related_model
    keys: set[str] = set()
    bodies = articles.objects.filter(body__contains="[[image:").values_list("body", flat=True)
    for body in bodies.iterator(chunk_size=1000):
        keys.update(marker_keys(body, "image"))
    leads = articles.objects.filter(lead_image__isnull=False).values("lead_image")
    return Q(pk__in=leads) | Q(key__in=keys)


class UseFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "use"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("unused", "Unused (in no article)"), ("used", "Used")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Image]) -> QuerySet[Image]:
        if self.value() not in ("unused", "used"):
            return queryset
        used = used_images()
        return queryset.exclude(used) if self.value() == "unused" else queryset.filter(used)


class AltTextFilter(admin.SimpleListFilter):
    title = "alt text"
    parameter_name = "alt"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("missing", "Missing"), ("decorative", "Decorative"), ("given", "Given")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Image]) -> QuerySet[Image]:
        # Alt text of spaces only is none to a screen reader.
        blank = Q(alt_text__regex=r"^\s*$")
        filters = {
            "missing": Q(is_decorative=False) & blank,
            "decorative": Q(is_decorative=True),
            "given": Q(is_decorative=False) & ~blank,
        }
        chosen = filters.get(self.value() or "")
        return queryset if chosen is None else queryset.filter(chosen)


class CreditFilter(admin.SimpleListFilter):
    """Each credit the images carry, and "No credit" for those without (the stock
    field filter left that one an empty, nameless link)."""

    title = "credit"
    parameter_name = "credit"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        credits = Image.objects.order_by("credit").values_list("credit", flat=True).distinct()
        return [(credit, credit or "No credit") for credit in credits]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Image]) -> QuerySet[Image]:
        credit = self.value()
        return queryset if credit is None else queryset.filter(credit=credit)


@admin.register(Image)
class ImageAdmin(EditorsChangeWhatReadersSee, ShowsMediaWriteErrors):
    # The list is a grid of cards (admin/pictures/image/change_list_results.html): each
    # row's one column is its card.
    list_display = ["card"]
    list_display_links = None
    # Decorative pictures are one choice of the alt-text filter.
    list_filter = [UseFilter, AltTextFilter, CreditFilter, "created_at"]
    search_fields = ["key", "alt_text", "caption", "credit"]
    list_per_page = 48
    # One COUNT per list: the total beside a filtered count would count every image again.
    show_full_result_count = False
    prepopulated_fields = {"key": ["caption"]}
    readonly_fields = ["preview", "width", "height", "source_url"]
    fields = [
        "file",
        "preview",
        "focal_x",
        "focal_y",
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
        js = ["admin/pictures/focal_point.js"]
        css = {"all": ["admin/articles/article_form.css", "admin/pictures/image_admin.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Image]:
        # The cards' thumbnails are renditions: one query for the whole page.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("renditions", queryset=UNSORTED_RENDITIONS))
        )

    def get_form(
        self, request: Any, obj: Image | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        # Only an import leaves an image without its picture (pages show a placeholder):
        # an editor adds or keeps one with it, and may correct a missing one's words.
        if "file" in form.base_fields:
            form.base_fields["file"].required = obj is None or bool(obj.file)
        for name in ("focal_x", "focal_y"):
            if field := form.base_fields.get(name):
                field.widget.attrs.update({"step": "any", "min": "0", "max": "1"})
        return form

    @admin.display(description="Image")
    def card(self, obj: Image) -> str:
        """The picture (its 16:9 card crop, around the focal point, where made), its key
        linking to its page, its alt text or the want of it, and its credit."""
        thumbnails = renditions_of(obj, Crop.WIDE, Format.WEBP)
        if thumbnails:
            picture = format_html(
                '<img src="{}" alt="" width="{}" height="{}" loading="lazy">',
                thumbnails[0].file.url,
                thumbnails[0].width,
                thumbnails[0].height,
            )
        elif obj.file:
            picture = format_html('<img src="{}" alt="" loading="lazy">', obj.file.url)
        else:
            picture = format_html('<span class="image-card-none">{}</span>', "No picture")
        if obj.is_decorative:
            words = format_html('<span class="image-card-note">{}</span>', "Decorative")
        elif obj.alt_text.strip():
            words = format_html("{}", obj.alt_text)
        else:
            words = format_html('<strong class="image-card-missing">{}</strong>', "No alt text")
        return format_html(
            '<a class="image-card-link" href="{}"><span class="image-card-picture">{}</span>'
            '<span class="image-card-key">{}</span></a>'
            '<span class="image-card-alt">{}</span>'
            '<span class="image-card-credit">{}</span>',
            reverse("admin:pictures_image_change", args=[obj.pk]),
            picture,
            obj.key,
            words,
            f"Credit: {obj.credit}" if obj.credit else "No credit",
        )

    @admin.display(description="Preview")
    def preview(self, obj: Image) -> str:
        if not obj.file:
            return "—"
        # The focal point's marker sits over the picture (focal_point.js moves it).
        return format_html(
            '<span class="focal-picture">{}<span class="focal-marker" hidden></span></span>'
            '<span class="help">Click the picture to set its focal point.</span>',
            image_preview(obj, 400),
        )
