"""Generated pictures that stand in for photographs a site does not have yet: the seeded
story's, and seed_demo's. Each is a tinted abstract pattern (soft overlapping discs on a
diagonal wash) with the initials of its caption, drawn by Pillow and the same for the
same caption and size, so a fresh install looks like a publication waiting for its
photographs rather than a page of grey boxes."""

from __future__ import annotations

import colorsys
import hashlib
import io
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

# Hues that read as photographs under a tint (blues, teals, greens, ambers, plums);
# one is picked per caption.
HUES = [0.58, 0.52, 0.45, 0.33, 0.09, 0.03, 0.8, 0.68]


def initials(caption: str) -> str:
    """Up to two capitals from the caption's first words ("Marc Benioff": "MB")."""
    letters = [word[0] for word in caption.split() if word[:1].isalnum()]
    return "".join(letters[:2]).upper() or "?"


def _colour(hue: float, lightness: float, saturation: float) -> tuple[int, int, int]:
    red, green, blue = colorsys.hls_to_rgb(hue % 1, lightness, saturation)
    return round(red * 255), round(green * 255), round(blue * 255)


def draw(caption: str, size: tuple[int, int]) -> bytes:
    """A PNG of `size` for `caption`; the same arguments give the same bytes."""
    seed = int.from_bytes(hashlib.sha256(f"{caption}|{size}".encode()).digest()[:8], "big")
    rng = random.Random(seed)  # noqa: S311 - a pattern, not a secret
    hue = rng.choice(HUES)
    width, height = size
    # A diagonal wash: top-to-bottom and left-to-right gradients averaged.
    downwards = Image.linear_gradient("L").resize(size)
    picture = Image.blend(downwards, Image.linear_gradient("L").rotate(90).resize(size), 0.5)
    dark, light = _colour(hue, 0.22, 0.45), _colour(hue + 0.04, 0.42, 0.5)
    picture = Image.merge(
        "RGB",
        [band.point(lambda v, a=a, b=b: a + (b - a) * v // 255) for band, a, b in zip(
            picture.convert("RGB").split(), dark, light, strict=True
        )],
    )  # fmt: skip
    discs = Image.new("RGBA", size)
    canvas = ImageDraw.Draw(discs)
    for _ in range(9):
        radius = rng.uniform(0.15, 0.45) * max(width, height)
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        shade = _colour(hue + rng.uniform(-0.06, 0.06), rng.uniform(0.35, 0.7), 0.55)
        canvas.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*shade, 70))
    discs = discs.filter(ImageFilter.GaussianBlur(max(width, height) / 60))
    picture = Image.alpha_composite(picture.convert("RGBA"), discs)
    letters = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=max(16, min(width, height) // 3))
    letters.text(
        (width / 2, height / 2),
        initials(caption),
        fill=(255, 255, 255, 215),
        font=font,
        anchor="mm",
    )
    buffer = io.BytesIO()
    # Not optimize=True: it makes drawing several times slower (seed_demo draws its
    # pictures while the command waits) for a stand-in only slightly smaller.
    picture.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()
