"""Uploads: pictures are accepted by content, never by name; anything
else gets a clear form error, leaves no row and no file; EXIF (GPS) never reaches a
rendition."""

import io
import zlib
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from PIL import Image as PILImage

from pictures.models import Image
from pictures.renditions import ensure_renditions


def picture(fmt: str, size: tuple[int, int] = (64, 48), **options: object) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "#336699").save(buffer, format=fmt, **options)
    return buffer.getvalue()


def bomb_png() -> bytes:
    """A PNG of 10,000 x 10,000 pixels (100 MP) in about 12 KB: one-bit, all black."""
    raw = zlib.compress(b"\x00" * (10_000 // 8 + 1) * 10_000, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (10_000).to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def animated_gif(frames: int, size: tuple[int, int]) -> bytes:
    """A valid GIF of `frames` one-colour frames. Written by repeating one frame Pillow
    made: Pillow's own writer would compare every frame pair, for seconds."""
    buffer = io.BytesIO()
    PILImage.new("P", size, 0).save(buffer, format="GIF")
    single = buffer.getvalue()
    flags = single[10]  # the logical screen's: is there a colour table, and its size
    table = 3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0
    head, frame = single[: 13 + table], single[13 + table : -1]
    return head + frame * frames + b";"


def jpeg_with_gps() -> bytes:
    exif = PILImage.Exif()
    exif[0x010F] = "Camera maker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "W", (0.0, 7.0, 39.9)  # GPSLongitudeRef, GPSLongitude
    return picture("JPEG", (1000, 750), exif=exif)


REFUSED = {
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x()</script></svg>',
        "not a valid JPEG, PNG, WebP or GIF",
    ),
    "html named .png": (b"<!doctype html><script>alert(1)</script>", "not a valid"),
    "empty": (b"", "The submitted file is empty"),
    "random bytes": (bytes(range(256)) * 8, "not a valid"),
    "truncated png": (picture("PNG")[:-30], "not a valid"),
    "truncated jpeg": (picture("JPEG", (300, 200))[:-200], "damaged or carries something"),
    "png with html appended": (
        picture("PNG") + b"<html><script>alert(1)</script></html>",
        "damaged or carries something",
    ),
    "jpeg with script appended": (
        picture("JPEG") + b"<script>alert(document.cookie)</script>",
        "damaged or carries something",
    ),
    "gif/javascript polyglot": (
        picture("GIF") + b"*/=1;alert(1);/*",
        "damaged or carries something",
    ),
    "png with script in a text chunk": (
        picture("PNG", pnginfo=None)[:33]
        + (lambda data: len(data).to_bytes(4, "big") + b"tEXt" + data + b"\0\0\0\0")(
            b"Comment\0<script>alert(1)</script>"
        )
        + picture("PNG")[33:],
        "",  # Pillow's CRC check or the markup check: refused either way
    ),
    "decompression bomb (100 MP in 12 KB)": (bomb_png(), "too many pixels"),
    "bmp": (picture("BMP"), "BMP pictures are not accepted"),
    "tiff": (picture("TIFF"), "TIFF pictures are not accepted"),
}


class UploadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = get_user_model().objects.create_superuser("edith", password="unused")

    def setUp(self) -> None:
        self.client.force_login(self.editor)

    def upload(self, content: bytes, name: str) -> object:
        return self.client.post(
            reverse("admin:pictures_image_add"),
            {
                "file": SimpleUploadedFile(name, content, content_type="image/png"),
                "key": "upload",
                "alt_text": "Alt",
                "caption": "",
                "credit": "",
            },
        )

    def stored_files(self) -> list[Path]:
        return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]

    def test_bad_files_are_refused_with_a_clear_error_and_leave_nothing(self) -> None:
        self.assertLess(len(bomb_png()), 16_000)
        before = self.stored_files()
        for label, (content, message) in REFUSED.items():
            with self.subTest(label):
                response = self.upload(content, "picture.png")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "errornote")
                self.assertContains(response, message)
                self.assertFalse(Image.objects.filter(key="upload").exists())
        self.assertEqual(self.stored_files(), before)

    @override_settings(MAX_IMAGE_UPLOAD_BYTES=10_000)
    def test_files_over_the_size_limit_are_refused(self) -> None:
        response = self.upload(picture("PNG", (400, 400), compress_level=0), "big.png")
        self.assertContains(response, "larger than the 0.00953674 MB limit")
        self.assertFalse(Image.objects.filter(key="upload").exists())

    def test_animations_are_limited_by_their_pixels_over_all_frames(self) -> None:
        """40 frames of 3000 x 3000 are 360 megapixels to decode, though each frame is
        under the 40-megapixel limit; a short animation passes."""
        animation = animated_gif(40, (3000, 3000))
        self.assertEqual(PILImage.open(io.BytesIO(animation)).n_frames, 40)  # a real GIF
        response = self.upload(animation, "animation.gif")
        self.assertContains(
            response,
            "too many pixels to be processed safely: 40 frames of 3000 x 3000 pixels make "
            "360 megapixels, and the limit is 40 megapixels over all frames together.",
        )
        self.assertFalse(Image.objects.filter(key="upload").exists())
        self.assertEqual(self.upload(animated_gif(4, (3000, 3000)), "short.gif").status_code, 302)

    def test_pictures_are_judged_by_content_and_stored_under_generated_names(self) -> None:
        for fmt, name, extension in [
            ("JPEG", "holiday.png", ".jpg"),
            ("PNG", "no-extension", ".png"),
            ("WEBP", "../../etc/passwd", ".webp"),
            ("GIF", "<script>.gif.exe", ".gif"),
        ]:
            with self.subTest(fmt=fmt):
                Image.objects.filter(key="upload").delete()
                response = self.upload(picture(fmt), name)
                self.assertEqual(response.status_code, 302, response.content[-3000:])
                stored = Image.objects.get(key="upload").file.name
                self.assertRegex(stored, rf"^images/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\{extension}$")

    def test_gps_exif_never_reaches_a_rendition(self) -> None:
        source = jpeg_with_gps()
        self.assertIn(0x8825, PILImage.open(io.BytesIO(source)).getexif())  # the test can fail
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.upload(source, "gps.jpg").status_code, 302)
        image = Image.objects.get(key="upload")
        renditions = ensure_renditions(image)
        self.assertGreater(len(renditions), 5)
        for rendition in renditions:
            with self.subTest(rendition=str(rendition)), rendition.file.open("rb") as handle:
                data = handle.read()
                exif = PILImage.open(io.BytesIO(data)).getexif()
                self.assertNotIn(0x8825, exif)
                self.assertEqual(dict(exif), {})
                self.assertNotIn(b"Camera maker", data)
