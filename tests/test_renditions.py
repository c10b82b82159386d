"""Image renditions: made once with Pillow when an image is saved, served with <picture>."""

import io
import re
from unittest import mock

from django.core.files.base import ContentFile
from django.test import TestCase
from PIL import Image as PILImage

from pictures import renditions
from pictures.models import Image, Rendition
from tests.factories import ArticleFactory, ImageFactory, png_bytes


def picture_file(size: tuple[int, int], mode: str = "RGB", fmt: str = "PNG") -> ContentFile:
    buffer = io.BytesIO()
    PILImage.new(mode, size, "#336699" if mode == "RGB" else (50, 100, 150, 0)).save(
        buffer, format=fmt
    )
    return ContentFile(buffer.getvalue(), name=f"upload.{fmt.lower()}")


class RenditionTests(TestCase):
    def make(self, size: tuple[int, int] = (2000, 1000), **kwargs: object) -> Image:
        with self.captureOnCommitCallbacks(execute=True):
            return ImageFactory(file=picture_file(size), **kwargs)

    def test_saving_an_image_makes_webp_and_jpeg_at_several_widths(self) -> None:
        image = self.make()
        made = {(r.crop, r.format, r.width, r.height) for r in image.renditions.all()}
        for width in (400, 800, 1200, 1600):
            for fmt in ("webp", "jpeg"):
                self.assertIn(("original", fmt, width, width // 2), made)
        self.assertIn(("16x9", "jpeg", 1200, 675), made)
        self.assertIn(("4x3", "jpeg", 1200, 900), made)
        self.assertIn(("1x1", "jpeg", 1000, 1000), made)

    def test_files_are_real_pictures_of_the_recorded_size_and_format(self) -> None:
        image = self.make()
        for rendition in image.renditions.all():
            with self.subTest(crop=rendition.crop, width=rendition.width, fmt=rendition.format):
                with rendition.file.open("rb") as handle, PILImage.open(handle) as picture:
                    self.assertEqual(picture.size, (rendition.width, rendition.height))
                    self.assertEqual(picture.format, rendition.format.upper())
                self.assertEqual(rendition.file.size, rendition.file_size)

    def test_never_wider_than_the_original(self) -> None:
        image = self.make((500, 300))
        self.assertEqual(max(r.width for r in image.renditions.all()), 500)
        self.assertEqual(
            sorted({r.width for r in image.renditions.filter(crop="original")}), [400, 500]
        )

    def test_made_once_then_reused(self) -> None:
        """Saving again, or rendering pages, does no Pillow work and keeps the same files."""
        image = self.make()
        names = set(image.renditions.values_list("file", flat=True))
        article = ArticleFactory(lead_image=image)
        with mock.patch.object(renditions, "render", side_effect=AssertionError("re-rendered")):
            with self.captureOnCommitCallbacks(execute=True):
                image.caption = "A new caption"
                image.save()
            for url in ["/", article.get_absolute_url()]:
                self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(set(image.renditions.values_list("file", flat=True)), names)

    def test_a_replaced_file_gets_new_renditions_and_the_old_files_go(self) -> None:
        image = self.make()
        old = list(image.renditions.all())
        with self.captureOnCommitCallbacks(execute=True):
            image.file = picture_file((900, 900))
            image.save()
        self.assertEqual(max(r.width for r in image.renditions.all()), 900)
        for rendition in old:
            self.assertFalse(rendition.file.storage.exists(rendition.file.name))

    def test_transparent_png_becomes_a_white_jpeg(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            image = ImageFactory(file=picture_file((800, 450), mode="RGBA"))
        jpeg = image.renditions.filter(format="jpeg").first()
        with jpeg.file.open("rb") as handle, PILImage.open(handle) as picture:
            self.assertEqual(picture.convert("RGB").getpixel((10, 10)), (255, 255, 255))

    def test_deleting_an_image_removes_its_rendition_files(self) -> None:
        image = self.make()
        files = [(r.file.storage, r.file.name) for r in image.renditions.all()]
        image_id = image.pk
        with self.captureOnCommitCallbacks(execute=True):
            image.delete()
        self.assertFalse(Rendition.objects.filter(image_id=image_id).exists())
        self.assertFalse(any(storage.exists(name) for storage, name in files))


class PictureMarkupTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            lead = ImageFactory(file=picture_file((1600, 900)), alt_text="A harbour at dawn")
            inline = ImageFactory(
                key="inline", file=picture_file((1200, 800)), alt_text="A crane", credit="Agency"
            )
            cls.article = ArticleFactory(lead_image=lead, body="Intro.\n\n[[image:inline]]\n\nEnd.")
        del inline

    def test_lead_picture_has_webp_source_jpeg_fallback_and_is_not_lazy(self) -> None:
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        lead = re.search(r'<figure class="figure figure--lead">(.*?)</figure>', html, re.S)[1]
        self.assertRegex(
            lead,
            r'<source type="image/webp" '
            r'srcset="[^"]+ 400w, [^"]+ 800w, [^"]+ 1200w, [^"]+ 1600w" sizes="[^"]+">',
        )
        img = re.search(r"<img [^>]+>", lead)[0]
        self.assertRegex(img, r'srcset="[^"]+\.jpg 400w, [^"]+\.jpg 800w')
        self.assertIn('width="1600" height="900"', img)
        self.assertIn('alt="A harbour at dawn"', img)
        self.assertNotIn("loading=", img)

    def test_body_picture_is_lazy_with_size_alt_and_credit(self) -> None:
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        body = html.split('class="article__body"')[1]
        img = re.search(r"<img [^>]+>", body)[0]
        self.assertIn('width="1200" height="800"', img)
        self.assertIn('alt="A crane"', img)
        self.assertIn('loading="lazy"', img)
        self.assertIn("Image credit - Agency", body)

    def test_cards_use_16_9_crops_lazily_with_empty_alt(self) -> None:
        """The card picture repeats the headline link, so it is hidden from assistive tech."""
        html = self.client.get("/topics/nothing/").content.decode()
        self.assertIn("Page not found", html)
        self.article.tags.add("Harbours")
        html = self.client.get("/topics/harbours/").content.decode()
        img = re.search(r'<a class="card__image"[^>]*>.*?(<img [^>]+>)', html, re.S)[1]
        self.assertIn('width="1200" height="675"', img)
        self.assertIn('alt=""', img)
        self.assertIn('loading="lazy"', img)

    def test_image_without_renditions_yet_shows_the_original(self) -> None:
        image = ImageFactory(file=ContentFile(png_bytes((640, 360)), name="x.png"))
        article = ArticleFactory(lead_image=image)
        html = self.client.get(article.get_absolute_url()).content.decode()
        self.assertIn(f'<img src="{image.file.url}" width="640" height="360"', html)
