"""Image upload rules: accepted by content (Pillow), never by file name, and stored
under generated names with the extension of the format actually found."""

import re
import uuid
import warnings
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models
from django.utils import timezone
from PIL import Image as PILImage

ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}

# Markup a browser could run if it ever sniffed the file as HTML or SVG: a polyglot
# (a picture that is also a page) carries it in a comment, a metadata chunk or a tail.
_MARKUP = re.compile(
    rb"<\s*(?:script|html|body|svg|iframe|object|embed|\?php|!doctype)|javascript:", re.I
)
_PNG_END = b"IEND\xaeB`\x82"
_EXTENSIONS = set(ALLOWED_FORMATS.values())


def generated_upload_path(prefix: str, extension: str) -> str:
    """A fresh, unguessable name: nothing of the uploader's file name is used."""
    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def stored_extension(file: Any, filename: str) -> str:
    """The extension of the picture's real format (".jpg" for a JPEG named x.png).
    `file` is the model's field file: it holds the upload itself when a form assigned
    it. Code that calls `field_file.save(name, content)` directly hands the content to
    storage only after naming it, so there the extension of `name` is kept, if it is
    a picture's (the validator has judged the content)."""
    if getattr(file, "_committed", True):
        extension = filename[filename.rfind(".") :].lower() if "." in filename else ""
        return ".jpg" if extension == ".jpeg" else extension if extension in _EXTENSIONS else ""
    position = file.tell()
    try:
        file.seek(0)
        with PILImage.open(file) as picture:
            return ALLOWED_FORMATS.get(picture.format or "", "")
    except (OSError, ValueError):
        return ""
    finally:
        file.seek(position)


def rendition_upload_path(instance: Any, filename: str) -> str:
    """Renditions get fresh names too, so a replaced picture never hides behind a cache.
    Their file names are made by pictures.renditions, which picks .jpg or .webp."""
    return generated_upload_path("renditions", filename[filename.rfind(".") :])


def _ends_where_the_format_ends(data: bytes, picture_format: str) -> bool:
    """False for a truncated file or one with anything appended after the picture."""
    match picture_format:
        case "PNG":
            return data.endswith(_PNG_END)
        case "JPEG":
            # Some cameras pad after the end-of-image marker with zero bytes.
            return data.rstrip(b"\x00").endswith(b"\xff\xd9")
        case "GIF":
            return data.endswith(b"\x3b")
        case "WEBP":
            return int.from_bytes(data[4:8], "little") + 8 == len(data)
    return False


def validate_image_file(file: File) -> None:
    """Refuse anything that is not, from its first byte to its last, a JPEG, PNG, WebP or
    GIF picture Pillow can verify and of a size (bytes and pixels, over all its frames)
    it can safely handle.

    A file already in storage was judged when it was uploaded: saving a record again
    (a new caption) does not judge it again. Reading it back would fetch the whole
    picture from storage on every save, and the model's field file is closed by then
    (Django read the picture's dimensions from it)."""
    if getattr(file, "_committed", False):
        return
    if file.size is not None and file.size > settings.MAX_IMAGE_UPLOAD_BYTES:
        limit_mb = settings.MAX_IMAGE_UPLOAD_BYTES / (1024 * 1024)
        raise ValidationError(
            f"The file is larger than the {limit_mb:g} MB limit.", code="too_large"
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        data = file.read()
        file.seek(0)
        with warnings.catch_warnings():
            # Past MAX_IMAGE_PIXELS Pillow only warns (an error comes at twice the limit);
            # a decompression bomb is refused here, not warned about.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(file) as picture:
                picture_format = picture.format
                # Pillow's limit above holds for one frame; an animation decodes them all.
                width, height = picture.size
                frames = getattr(picture, "n_frames", 1)
                picture.verify()
    except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError) as error:
        raise ValidationError(
            f"The picture has too many pixels to be processed safely (the limit is "
            f"{settings.MAX_IMAGE_PIXELS / 1_000_000:g} megapixels).",
            code="bomb",
        ) from error
    except Exception as error:
        # Pillow raises many kinds of error for bad input; each means "not a picture".
        raise ValidationError(
            "The file is not a valid JPEG, PNG, WebP or GIF picture.", code="invalid_image"
        ) from error
    finally:
        file.seek(position)
    if width * height * frames > settings.MAX_IMAGE_PIXELS:
        frame_count = f"{frames} frames of " if frames > 1 else ""
        raise ValidationError(
            f"The picture has too many pixels to be processed safely: {frame_count}{width} x "
            f"{height} pixels make {width * height * frames / 1_000_000:,.0f} megapixels, and "
            f"the limit is {settings.MAX_IMAGE_PIXELS / 1_000_000:g} megapixels"
            + (" over all frames together." if frames > 1 else "."),
            code="bomb",
        )
    if picture_format not in ALLOWED_FORMATS:
        raise ValidationError(
            f"{picture_format} pictures are not accepted: use JPEG, PNG, WebP or GIF.",
            code="format",
        )
    if _MARKUP.search(data) or not _ends_where_the_format_ends(data, picture_format):
        raise ValidationError(
            "The file is damaged or carries something besides the picture (for example "
            "HTML or script appended to it). Export the picture again and upload that.",
            code="not_only_a_picture",
        )


class PictureFormField(forms.ImageField):
    """The admin's upload field: validate_image_file's clear messages come first, before
    Django's own check, which would say only "not an image or a corrupted image"."""

    default_validators: list[Any] = []

    def to_python(self, data: Any) -> Any:
        file = forms.FileField.to_python(self, data)
        if file is not None:
            validate_image_file(file)
        return super().to_python(data)


class PictureField(models.ImageField):
    """An ImageField judged by content only. Django's ImageField also refuses a file by
    its name's extension, which would refuse a real JPEG named "photo" and lets a
    name decide anything at all; the stored name is generated anyway."""

    default_validators: list[Any] = []

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(
            form_class=form_class or PictureFormField,
            choices_form_class=choices_form_class,
            **kwargs,
        )
