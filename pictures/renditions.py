"""Renditions: resized, cropped WebP and JPEG copies of pictures, made once with Pillow.

Two kinds of picture have them, through the same code: article images (Image) and
authors' photos (Author.photo); each kind has its own plan of shapes and widths.
Pages never resize a picture while a reader waits: a picture's renditions are made
when it is saved (by a background task, after the transaction commits), or by the
`renditions` command, and stored as Rendition rows, which pages prefetch. Where a
picture has none yet, pages show the original.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.fields.files import FieldFile
from django.dispatch import Signal
from django_tasks import task
from PIL import Image as PILImage
from PIL import ImageOps

from newsroom.storage import MediaWriteError
from newsroom.tasks import enqueue
from pictures.models import Image, Picture, Rendition, photo_owners

logger = logging.getLogger(__name__)

# Sent once a picture's renditions were made or dropped (the background task, the
# renditions command): pages that store what they show of it (an article's rendered
# body, in articles) render again. Arguments: sender=the owner's model, owner=it.
renditions_changed = Signal()

Crop = Rendition.Crop
Format = Rendition.Format

# Widths offered in srcset for pictures in their own shape (body and lead images).
DISPLAY_WIDTHS = (400, 800, 1200, 1600)
# Listing cards show a 16:9 crop.
CARD_WIDTHS = (400, 800)
# Structured data and social cards: one JPEG per shape Google asks for (16:9, 4:3,
# 1:1), 1200 px wide when the picture is big enough.
SHARE_WIDTH = 1200

ASPECTS: dict[str, tuple[int, int]] = {
    Crop.WIDE: (16, 9),
    Crop.STANDARD: (4, 3),
    Crop.SQUARE: (1, 1),
}

Plan = tuple[tuple[str, int, str], ...]

IMAGE_PLAN: Plan = (
    *((Crop.ORIGINAL, width, fmt) for width in DISPLAY_WIDTHS for fmt in Format.values),
    *((Crop.WIDE, width, fmt) for width in CARD_WIDTHS for fmt in Format.values),
    *((crop, SHARE_WIDTH, Format.JPEG) for crop in ASPECTS),
)

# Author photos are shown square: 48 CSS px beside a byline and 160 on the author page,
# at 1x to 3x pixel density. One larger square JPEG is the Person's image in structured
# data and the author page's social card.
PHOTO_WIDTHS = (96, 160, 320, 480)
PHOTO_SHARE_WIDTH = 800
PHOTO_PLAN: Plan = (
    *((Crop.SQUARE, width, fmt) for width in PHOTO_WIDTHS for fmt in Format.values),
    (Crop.SQUARE, PHOTO_SHARE_WIDTH, Format.JPEG),
)

# Each kind of picture: the Rendition key naming it, and its owner's related name.
RELATED_NAMES = {"image": "renditions", "author": "photo_renditions"}

SAVE_OPTIONS: dict[str, dict[str, Any]] = {
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
    """The size of the largest area of the given shape that fits in a picture of `size`."""
    width, height = size
    if crop == Crop.ORIGINAL:
        return width, height
    across, down = ASPECTS[crop]
    if width * down > height * across:
        return height * across // down, height
    return width, width * down // across


def specs_for(size: tuple[int, int], plan: Plan = IMAGE_PLAN) -> list[Spec]:
    """What to make for a picture of `size`: never wider than the picture allows,
    each (shape, width, format) once."""
    specs: dict[tuple[str, int, str], Spec] = {}
    for crop, width, fmt in plan:
        box_width, box_height = crop_box(size, crop)
        target = min(width, box_width)
        if target < 1:
            continue
        height = max(1, round(box_height * target / box_width))
        specs.setdefault((crop, target, fmt), Spec(crop, target, height, fmt))
    return list(specs.values())


Focus = tuple[float, float]
CENTRE: Focus = (0.5, 0.5)


def focus_box(size: tuple[int, int], crop: str, focus: Focus | None) -> tuple[int, int, int, int]:
    """Where in a picture of `size` a crop of this shape is cut (left, top, right,
    bottom): the largest such area, centred on the focus (fractions across and down)
    as far as the picture's edges allow, so the focus stays in the frame."""
    width, height = size
    box_width, box_height = crop_box(size, crop)
    across, down = focus or CENTRE
    left = min(max(round(across * width - box_width / 2), 0), width - box_width)
    top = min(max(round(down * height - box_height / 2), 0), height - box_height)
    return left, top, left + box_width, top + box_height


def render(picture: PILImage.Image, spec: Spec, focus: Focus | None = None) -> bytes:
    """One rendition's bytes: cropped around the focus (the centre if None), resized,
    encoded."""
    box = focus_box(picture.size, spec.crop, focus)
    resized = picture.resize((spec.width, spec.height), PILImage.Resampling.LANCZOS, box=box)
    if spec.format == Format.JPEG and resized.mode != "RGB":
        # JPEG has no transparency: flatten onto white rather than black.
        background = PILImage.new("RGB", resized.size, "white")
        background.paste(resized, mask=resized.getchannel("A") if "A" in resized.mode else None)
        resized = background
    buffer = io.BytesIO()
    resized.save(buffer, **SAVE_OPTIONS[spec.format])
    return buffer.getvalue()


@dataclass(frozen=True)
class Source:
    """A picture renditions are made from, and what its renditions should be."""

    owner: Model  # an Image or an Author (or their historical model, in a migration)
    key: str  # the Rendition field naming the owner: "image" or "author"
    file: FieldFile
    size: tuple[int, int]
    plan: Plan
    focus: Focus | None = None  # where crops centre; None for the centre

    def renditions(self) -> list[Rendition]:
        """The owner's renditions (prefetched by the caller)."""
        return list(getattr(self.owner, RELATED_NAMES[self.key]).all())

    def specs(self) -> list[Spec]:
        """What to make; nothing for an author without a photo."""
        return specs_for(self.size, self.plan) if self.file else []


def source_of(owner: Any) -> Source:
    """The picture of an Image or of an Author's photo. Reads only fields, so a data
    migration's historical models work too."""
    if owner._meta.model_name == "author":
        size = (owner.photo_width or 0, owner.photo_height or 0)
        return Source(owner, "author", owner.photo, size, PHOTO_PLAN)
    # A historical model from before the focal point has none.
    across, down = getattr(owner, "focal_x", None), getattr(owner, "focal_y", None)
    focus = None if across is None or down is None else (across, down)
    return Source(owner, "image", owner.file, (owner.width, owner.height), IMAGE_PLAN, focus)


def open_source(file: FieldFile) -> PILImage.Image:
    """The uploaded picture, upright (EXIF orientation applied), in RGB or RGBA."""
    with file.open("rb") as handle, PILImage.open(handle) as opened:
        picture = ImageOps.exif_transpose(opened)
        picture.load()
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    return picture.convert("RGBA" if has_alpha else "RGB")


def _centred_on(rendition: Rendition) -> Focus | None:
    """The focus a rendition was cropped around; None for the centre, or for one in
    the picture's own shape, which no focus changes."""
    across, down = getattr(rendition, "focal_x", None), getattr(rendition, "focal_y", None)
    return None if across is None or down is None else (across, down)


def _current(source: Source) -> tuple[list[Rendition], list[Rendition]]:
    """The source's renditions, and those of them made from a file it no longer has
    (a replaced picture, a removed author photo) or cropped around another focal point."""
    renditions = source.renditions()
    stale = [
        r
        for r in renditions
        if r.source_name != (source.file.name or "")
        or _centred_on(r) != (source.focus if r.crop != Crop.ORIGINAL else None)
    ]
    return renditions, stale


def ensure_renditions(
    owner: Picture, *, rendition_model: type[Rendition] = Rendition
) -> list[Rendition]:
    """Make the missing renditions of an image or an author's photo (renditions
    prefetched) and drop those of a replaced or removed file. Idempotent: a second call
    finds everything made and does no image work. (A data migration passes historical
    models.)"""
    source = source_of(owner)
    renditions, stale = _current(source)
    for rendition in stale:
        rendition.delete()
    kept = {(r.crop, r.width, r.format): r for r in renditions if r not in stale}
    missing = [spec for spec in source.specs() if (spec.crop, spec.width, spec.format) not in kept]
    # Only a source with a file has specs, so anything missing has a file to be made from.
    if missing and source.file.name:
        picture = open_source(source.file)
        written: list[Rendition] = []
        try:
            for spec in missing:
                data = render(picture, spec, source.focus)
                # Only a crop depends on the focus (and only a model that has one
                # gives it: not a data migration's historical one).
                centred = (
                    {"focal_x": source.focus[0], "focal_y": source.focus[1]}
                    if source.focus and spec.crop != Crop.ORIGINAL
                    else {}
                )
                rendition = rendition_model(
                    crop=spec.crop,
                    format=spec.format,
                    width=spec.width,
                    height=spec.height,
                    file_size=len(data),
                    source_name=source.file.name,
                    **{source.key: owner},
                    **centred,
                )
                extension = "webp" if spec.format == Format.WEBP else "jpg"
                rendition.file.save(
                    f"{spec.crop}-{spec.width}.{extension}", ContentFile(data), False
                )
                written.append(rendition)
                rendition.save()
                kept[(spec.crop, spec.width, spec.format)] = rendition
        except Exception:
            # The callers' transaction drops the rows; their files go too (a full disk
            # keeps no renditions of a half-done image, only the original).
            for rendition in written:
                rendition.file.delete(save=False)
            raise
    return list(kept.values())


@dataclass
class Upkeep:
    """What the renditions command would do for one picture (see plan_upkeep)."""

    missing: list[Spec]
    stale: list[Rendition]  # made from a file the image or author no longer has
    broken: list[Rendition]  # the row is there, its file is not

    @property
    def needed(self) -> bool:
        return bool(self.missing or self.stale or self.broken)


def plan_upkeep(owner: Picture) -> Upkeep:
    """The renditions of an image or author photo (prefetched) that ensure_renditions
    would make or drop, and those whose stored file has gone (to be dropped and made
    again). Reads the storage, never writes."""
    source = source_of(owner)
    renditions, stale = _current(source)
    broken = [
        r
        for r in renditions
        if r not in stale and not (r.file.name and r.file.storage.exists(r.file.name))
    ]
    kept = {(r.crop, r.width, r.format) for r in renditions if r not in stale and r not in broken}
    missing = [spec for spec in source.specs() if (spec.crop, spec.width, spec.format) not in kept]
    return Upkeep(missing=missing, stale=stale, broken=broken)


def make_renditions_later(owner: Picture) -> None:
    """Make the picture's renditions in a background task, once the transaction commits."""
    if owner._meta.model_name == "author":
        enqueue(make_photo_renditions, author_id=owner.pk)
    else:
        enqueue(make_renditions, image_id=owner.pk)


def _make(owners: QuerySet[Any], pk: int) -> None:
    """A picture Pillow cannot read (the upload validator should have refused it) is
    logged and the task ends: pages fall back to the original file. Storage that
    refuses the files (a full disk) fails the task, its rows undone with the
    transaction; the `renditions` command makes them later (there are no retries)."""
    kind = owners.model._meta.model_name
    owner = owners.filter(pk=pk).prefetch_related(RELATED_NAMES[kind]).first()
    if owner is None:
        return
    try:
        with transaction.atomic():
            ensure_renditions(owner)
            renditions_changed.send(sender=type(owner), owner=owner)
    except MediaWriteError:
        raise
    except OSError:
        logger.exception("Could not make renditions of %s %s", kind, pk)


@task()
def make_renditions(*, image_id: int) -> None:
    _make(Image.objects.exclude(file=""), image_id)


@task()
def make_photo_renditions(*, author_id: int) -> None:
    """Also drops the renditions of a photo the author no longer has."""
    _make(photo_owners(), author_id)


def renditions_of(owner: Picture, crop: str, fmt: str) -> list[Rendition]:
    """The (prefetched) renditions of an image or author photo of one shape and
    format, narrowest first."""
    return sorted(
        (r for r in source_of(owner).renditions() if r.crop == crop and r.format == fmt),
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


def photo_share_rendition(author: Model) -> Rendition | None:
    """The author photo's widest square JPEG (prefetched), for the Person's image in
    structured data and the author page's social card."""
    squares = renditions_of(author, Crop.SQUARE, Format.JPEG)
    return squares[-1] if squares else None
