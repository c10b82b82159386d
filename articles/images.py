"""Image upload rules: accepted by content (Pillow), stored under generated names."""

import uuid
import warnings
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone
from PIL import Image as PILImage

ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
_KNOWN_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".gif"}


def generated_upload_path(prefix: str, filename: str) -> str:
    """A fresh, unguessable name: the uploader's file name is never used."""
    extension = PurePath(filename).suffix.lower()
    if extension not in _KNOWN_EXTENSIONS:
        extension = ""
    today = timezone.now()
    return f"{prefix}/{today:%Y/%m}/{uuid.uuid4().hex}{extension}"


def rendition_upload_path(instance: Any, filename: str) -> str:
    """Renditions get fresh names too, so a replaced picture never hides behind a cache."""
    return generated_upload_path("renditions", filename)


def validate_image_file(file: File) -> None:
    """Refuse anything Pillow cannot verify as a JPEG, PNG, WebP or GIF picture."""
    if file.size is not None and file.size > settings.MAX_IMAGE_UPLOAD_BYTES:
        limit_mb = settings.MAX_IMAGE_UPLOAD_BYTES / (1024 * 1024)
        raise ValidationError(
            f"The file is larger than the {limit_mb:g} MB limit.", code="too_large"
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with warnings.catch_warnings():
            # A decompression bomb is an error here, not a warning.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(file) as picture:
                picture_format = picture.format
                picture.verify()
    except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError) as error:
        raise ValidationError(
            "The picture has too many pixels to be processed safely.", code="bomb"
        ) from error
    except Exception as error:
        # Pillow raises many kinds of error for bad input; each means "not a picture".
        raise ValidationError(
            "The file is not a valid JPEG, PNG, WebP or GIF picture.", code="invalid_image"
        ) from error
    finally:
        file.seek(position)
    if picture_format not in ALLOWED_FORMATS:
        raise ValidationError(
            f"{picture_format} pictures are not accepted: use JPEG, PNG, WebP or GIF.",
            code="format",
        )
