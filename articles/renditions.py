"""Image renditions: resized, cropped WebP and JPEG copies made once with Pillow.

Pages never resize a picture while a reader waits: an image's renditions are made
when the image is saved (after the transaction commits) and stored as Rendition
rows, which pages prefetch. Where an image has none yet, pages show the original.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageOps

from articles.models import Image, Rendition
from jobs.queue import enqueue, handler
from newsroom.storage import MediaWriteError

logger = logging.getLogger(__name__)

Crop = Rendition.Crop
Format = Rendition.Format

# Widths offered in srcset for pictures in their own shape (body and lead images).
DISPLAY_WIDTHS = (400, 800, 1200, 1600)
# Listing cards show a 16:9 crop.
CARD_WIDTHS = (400, 800)
# Structured data and social cards: one JPEG per shape Google asks for (16:9, 4:3,
# 1:1), 1200 px wide when the picture is big enough.
SHARE_WIDTH = 1200

ASPECTS = {Crop.WIDE: (16, 9), Crop.STANDARD: (4, 3), Crop.SQUARE: (1, 1)}

PLAN: tuple[tuple[str, int, str], ...] = (
    *((Crop.ORIGINAL, width, fmt) for width in DISPLAY_WIDTHS for fmt in Format.values),
    *((Crop.WIDE, width, fmt) for width in CARD_WIDTHS for fmt in Format.values),
    *((crop, SHARE_WIDTH, Format.JPEG) for crop in ASPECTS),
)

SAVE_OPTIONS = {
    Format.WEBP: {"format": "WEBP", "quality": 80, "method": 4},
    Format.JPEG: {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True},
}


@dataclass(frozen=True)
class Spec:
    crop: str
    width: int
    height: int
    format: str


def crop_box(size: tuple[int, int], crop: str) -> tuple[int, int]:
    """The largest centred area of the given shape that fits in a picture of `size`."""
    width, height = size
    if crop == Crop.ORIGINAL:
        return width, height
    across, down = ASPECTS[crop]
    if width * down > height * across:
        return height * across // down, height
    return width, width * down // across


def specs_for(size: tuple[int, int]) -> list[Spec]:
    """What to make for a picture of `size`: never wider than the picture allows,
    each (shape, width, format) once."""
    specs: dict[tuple[str, int, str], Spec] = {}
    for crop, width, fmt in PLAN:
        box_width, box_height = crop_box(size, crop)
        target = min(width, box_width)
        if target < 1:
            continue
        height = max(1, round(box_height * target / box_width))
        specs.setdefault((crop, target, fmt), Spec(crop, target, height, fmt))
    return list(specs.values())


def render(picture: PILImage.Image, spec: Spec) -> bytes:
    """One rendition's bytes: cropped around the centre, resized, encoded."""
    if spec.crop == Crop.ORIGINAL:
        resized = picture.resize((spec.width, spec.height), PILImage.Resampling.LANCZOS)
    else:
        resized = ImageOps.fit(
            picture, (spec.width, spec.height), PILImage.Resampling.LANCZOS, centering=(0.5, 0.5)
        )
    if spec.format == Format.JPEG and resized.mode != "RGB":
        # JPEG has no transparency: flatten onto white rather than black.
        background = PILImage.new("RGB", resized.size, "white")
        background.paste(resized, mask=resized.getchannel("A") if "A" in resized.mode else None)
        resized = background
    buffer = io.BytesIO()
    resized.save(buffer, **SAVE_OPTIONS[spec.format])
    return buffer.getvalue()


def open_source(image: Image) -> PILImage.Image:
    """The uploaded picture, upright (EXIF orientation applied), in RGB or RGBA."""
    with image.file.open("rb") as handle, PILImage.open(handle) as opened:
        picture = ImageOps.exif_transpose(opened)
        picture.load()
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    return picture.convert("RGBA" if has_alpha else "RGB")


def ensure_renditions(
    image: Image, *, rendition_model: type[Rendition] = Rendition
) -> list[Rendition]:
    """Make the image's missing renditions and drop those of a replaced file.
    Idempotent: a second call finds everything made and does no image work.
    (A data migration passes its historical Rendition model.)"""
    renditions = list(image.renditions.all())
    stale = [r for r in renditions if r.source_name != image.file.name]
    for rendition in stale:
        rendition.delete()
    kept = {(r.crop, r.width, r.format): r for r in renditions if r not in stale}
    missing = [
        spec
        for spec in specs_for((image.width, image.height))
        if (spec.crop, spec.width, spec.format) not in kept
    ]
    if missing:
        picture = open_source(image)
        written: list[Rendition] = []
        try:
            for spec in missing:
                data = render(picture, spec)
                rendition = rendition_model(
                    image=image,
                    crop=spec.crop,
                    format=spec.format,
                    width=spec.width,
                    height=spec.height,
                    file_size=len(data),
                    source_name=image.file.name,
                )
                extension = "webp" if spec.format == Format.WEBP else "jpg"
                name = f"{spec.crop}-{spec.width}.{extension}"
                rendition.file.save(name, ContentFile(data), False)
                written.append(rendition)
                rendition.save()
                kept[(spec.crop, spec.width, spec.format)] = rendition
        except Exception:
            # The callers' transaction drops the rows; their files go too (a full disk
            # keeps no renditions of a half-done image, only the original).
            for rendition in written:
                rendition.file.storage.delete(rendition.file.name)
            raise
    return list(kept.values())


@dataclass
class Upkeep:
    """What the renditions command would do for one image (see plan_upkeep)."""

    missing: list[Spec]
    stale: list[Rendition]  # made from a file the image no longer has
    broken: list[Rendition]  # the row is there, its file is not

    @property
    def needed(self) -> bool:
        return bool(self.missing or self.stale or self.broken)


def plan_upkeep(image: Image) -> Upkeep:
    """The renditions of an image (prefetched) that ensure_renditions would make or drop,
    and those whose stored file has gone (to be dropped and made again). Reads the
    storage, never writes."""
    renditions = list(image.renditions.all())
    stale = [r for r in renditions if r.source_name != image.file.name]
    broken = [r for r in renditions if r not in stale and not r.file.storage.exists(r.file.name)]
    kept = {(r.crop, r.width, r.format) for r in renditions if r not in stale and r not in broken}
    missing = [
        spec
        for spec in specs_for((image.width, image.height))
        if (spec.crop, spec.width, spec.format) not in kept
    ]
    return Upkeep(missing=missing, stale=stale, broken=broken)


def make_renditions_later(image_id: int) -> None:
    """Make the image's renditions through the job queue, once the transaction commits."""
    enqueue("renditions", image_id=image_id)


@handler("renditions")
def make_renditions(*, image_id: int) -> None:
    """A picture Pillow cannot read (the upload validator should have refused it) is
    logged, not retried: pages fall back to the original file. Storage that refuses
    the files (a full disk) fails the job, which is retried later."""
    image = Image.objects.filter(pk=image_id).prefetch_related("renditions").first()
    if image is None or not image.file:
        return
    try:
        ensure_renditions(image)
    except MediaWriteError:
        raise
    except OSError:
        logger.exception("Could not make renditions of image %s", image_id)


def renditions_of(image: Image, crop: str, fmt: str) -> list[Rendition]:
    """The image's (prefetched) renditions of one shape and format, narrowest first."""
    return sorted(
        (r for r in image.renditions.all() if r.crop == crop and r.format == fmt),
        key=lambda r: r.width,
    )


# Google asks for article images of at least 50,000 pixels (width x height).
MIN_SHARE_PIXELS = 50_000


def share_renditions(image: Image | None) -> list[Rendition]:
    """The 16:9, 4:3 and 1:1 JPEGs for structured data and social cards, widest of
    each shape, leaving out any smaller than Google accepts."""
    if image is None:
        return []
    chosen = []
    for crop in (Crop.WIDE, Crop.STANDARD, Crop.SQUARE):
        candidates = renditions_of(image, crop, Format.JPEG)
        if candidates and candidates[-1].width * candidates[-1].height >= MIN_SHARE_PIXELS:
            chosen.append(candidates[-1])
    return chosen
