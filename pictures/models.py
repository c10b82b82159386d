"""Pictures: uploaded images with the words that travel with them, and the resized
copies (renditions) every page, feed and structured data use."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from pictures.images import (
    PictureField,
    generated_upload_path,
    rendition_upload_path,
    stored_extension,
    validate_image_file,
)


def image_upload_path(instance: Image, filename: str) -> str:
    return generated_upload_path("images", stored_extension(instance.file, filename))


class Image(models.Model):
    """An uploaded picture with the words that travel with it."""

    key = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Short name used to place the image in a body: [[image:<key>]].",
    )
    file = PictureField(
        upload_to=image_upload_path,
        validators=[validate_image_file],
        width_field="width",
        height_field="height",
        # Blank only for a picture an import could not bring (see source_url): the
        # record keeps its words and places, and pages show a placeholder.
        blank=True,
        help_text="JPEG, PNG, WebP or GIF. The stored file gets a generated name.",
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it.",
    )
    is_decorative = models.BooleanField(
        default=False,
        help_text="Tick only if the picture adds nothing to the text (then no alt text is needed).",
    )
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=200, blank=True, help_text='For example "WEF".')
    source_url = models.URLField(
        max_length=1000,
        blank=True,
        help_text=(
            "Where an import found the picture (a WordPress attachment's address). Without "
            "a file, the picture is missing: pages show a placeholder until one is uploaded."
        ),
    )
    # Fractions of the width and height, from the top left: 0.5, 0.5 is the centre.
    focal_x = models.FloatField(
        "focal point across",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="From 0 (left edge) to 1 (right edge). Empty: the centre.",
    )
    focal_y = models.FloatField(
        "focal point down",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=(
            "From 0 (top) to 1 (bottom). Empty: the centre. Click the picture to set both: "
            "every crop (16:9, 4:3, square) keeps that point in its frame."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # The table of the app Image began in: moving apps renamed nothing.
        db_table = "articles_image"

    def __str__(self) -> str:
        return self.caption or self.alt_text or self.key

    def clean(self) -> None:
        super().clean()
        if (self.focal_x is None) != (self.focal_y is None):
            raise ValidationError(
                "Give the focal point both across and down, or leave both empty for the centre."
            )

    @property
    def focus(self) -> tuple[float, float] | None:
        """The focal point as (across, down) fractions, or None for the centre."""
        if self.focal_x is None or self.focal_y is None:
            return None
        return (self.focal_x, self.focal_y)


class RenditionCrop(models.TextChoices):
    ORIGINAL = "original", "Original shape"
    WIDE = "16x9", "16:9"
    STANDARD = "4x3", "4:3"
    SQUARE = "1x1", "1:1"


class RenditionFormat(models.TextChoices):
    WEBP = "webp", "WebP"
    JPEG = "jpeg", "JPEG"


class Rendition(models.Model):
    """A resized (and possibly cropped) copy of a picture, made once when the picture is
    saved (pictures.renditions) and reused by every page, feed and structured data.
    The picture is either an Image or an author's photo: exactly one of the two keys
    is set."""

    Crop = RenditionCrop
    Format = RenditionFormat

    image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.CASCADE, related_name="renditions"
    )
    author = models.ForeignKey(
        "authors.Author",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photo_renditions",
        help_text="Set for a rendition of this author's photo (instead of an image).",
    )
    crop = models.CharField(max_length=10, choices=Crop.choices)
    format = models.CharField(max_length=10, choices=Format.choices)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file = models.FileField(upload_to=rendition_upload_path, max_length=200)
    file_size = models.PositiveIntegerField(help_text="Bytes; feeds announce it with the image.")
    source_name = models.CharField(
        max_length=200, help_text="The image file this was made from; a new upload replaces it."
    )
    # A crop is made around the image's focal point: a new one remakes it.
    focal_x = models.FloatField(
        null=True, blank=True, help_text="The focal point this crop was centred on (across)."
    )
    focal_y = models.FloatField(
        null=True, blank=True, help_text="The focal point this crop was centred on (down)."
    )

    class Meta:
        ordering = ["crop", "format", "width"]
        db_table = "articles_rendition"
        constraints = [
            # One rendition per shape, size and format; also serves the image's prefetch.
            models.UniqueConstraint(
                fields=["image", "crop", "width", "format"], name="unique_rendition"
            ),
            # The same for an author's photo; serves the bylines' and author page's prefetch.
            models.UniqueConstraint(
                fields=["author", "crop", "width", "format"], name="unique_photo_rendition"
            ),
            models.CheckConstraint(
                condition=Q(image__isnull=False, author__isnull=True)
                | Q(image__isnull=True, author__isnull=False),
                name="rendition_of_one_picture",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.image or self.author} {self.crop} {self.width}w {self.format}"


# Prefetched renditions in no SQL order: pages pick a picture's shape and format and
# sort by width in Python (renditions_of), so an ORDER BY would only cost its compiling
# on every page.
UNSORTED_RENDITIONS = Rendition.objects.order_by()


# An image, or an author's photo (authors.Author): the two owners renditions have.
Picture = models.Model


def photo_owners() -> models.QuerySet[Any]:
    """Every author, as owners of photos with renditions. Reached through Rendition's
    key: authors sits above pictures, and pictures imports no app (docs/architecture.md)."""
    owner: Any = Rendition._meta.get_field("author").related_model
    return owner.objects.all()
