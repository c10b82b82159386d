"""Author photos get renditions like article images: square WebP and
JPEG at several widths, made once by a job after the save, served with <picture>,
srcset, sizes, width and height on the author page and beside article bylines, and
used for the Person's image in structured data and the social cards."""

import io
import re
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from PIL import Image as PILImage

from authors.models import Author
from newsroom.tasks import run_now
from pictures import renditions
from pictures.models import Image, Rendition
from tests.base import SEED_URL, json_ld
from tests.factories import ArticleFactory, AuthorFactory, png_bytes
from tests.test_admin import inline_management
from tests.test_uploads import jpeg_with_gps

SQUARE_WIDTHS = [96, 160, 320, 480]


def photo(size: tuple[int, int] = (1000, 800)) -> ContentFile:
    return ContentFile(png_bytes(size, "#884422"), name="portrait.png")


class PhotoRenditionTests(TestCase):
    def make(self, size: tuple[int, int] = (1000, 800), **kwargs: object) -> Author:
        with self.captureOnCommitCallbacks(execute=True):
            return AuthorFactory(photo=photo(size), **kwargs)

    def test_saving_an_author_makes_square_webp_and_jpeg_at_several_widths(self) -> None:
        author = self.make()
        made = {(r.crop, r.format, r.width, r.height) for r in author.photo_renditions.all()}
        expected = {
            ("1x1", fmt, width, width) for width in SQUARE_WIDTHS for fmt in ("webp", "jpeg")
        }
        # Plus one larger square JPEG for structured data and social cards.
        self.assertEqual(made, expected | {("1x1", "jpeg", 800, 800)})

    def test_files_are_real_pictures_of_the_recorded_size_and_format(self) -> None:
        author = self.make()
        for rendition in author.photo_renditions.all():
            with self.subTest(width=rendition.width, fmt=rendition.format):
                self.assertTrue(default_storage.exists(rendition.file.name))
                with rendition.file.open("rb") as handle, PILImage.open(handle) as picture:
                    self.assertEqual(picture.size, (rendition.width, rendition.height))
                    self.assertEqual(picture.format, rendition.format.upper())
                self.assertEqual(rendition.file.size, rendition.file_size)
                self.assertEqual(rendition.source_name, author.photo.name)
                self.assertIsNone(rendition.image_id)

    def test_a_small_photo_is_never_enlarged(self) -> None:
        author = self.make((300, 200))
        self.assertEqual(sorted({r.width for r in author.photo_renditions.all()}), [96, 160, 200])

    def test_made_once_then_reused(self) -> None:
        """Saving the author again and rendering pages does no Pillow work."""
        author = self.make()
        article = ArticleFactory(authors=[author])
        names = set(author.photo_renditions.values_list("file", flat=True))
        with mock.patch.object(renditions, "render", side_effect=AssertionError("re-rendered")):
            with self.captureOnCommitCallbacks(execute=True):
                author.bio = "Now covers cloud computing."
                author.save()
            for url in [author.get_absolute_url(), article.get_absolute_url()]:
                self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(set(author.photo_renditions.values_list("file", flat=True)), names)

    def test_replaced_photo_gets_new_renditions_and_the_old_files_go(self) -> None:
        author = self.make()
        old = [(r.file.storage, r.file.name) for r in author.photo_renditions.all()]
        with self.captureOnCommitCallbacks(execute=True):
            author.photo = photo((200, 200))
            author.save()
        self.assertEqual(max(r.width for r in author.photo_renditions.all()), 200)
        self.assertFalse(any(storage.exists(name) for storage, name in old))

    def test_removed_photo_takes_its_renditions_with_it(self) -> None:
        author = self.make()
        old = [(r.file.storage, r.file.name) for r in author.photo_renditions.all()]
        with self.captureOnCommitCallbacks(execute=True):
            author.photo = None
            author.save()
        self.assertFalse(author.photo_renditions.exists())
        self.assertFalse(any(storage.exists(name) for storage, name in old))

    def test_deleting_an_author_removes_their_rendition_files(self) -> None:
        author = self.make()
        old = [(r.file.storage, r.file.name) for r in author.photo_renditions.all()]
        author_id = author.pk
        with self.captureOnCommitCallbacks(execute=True):
            author.delete()
        self.assertFalse(Rendition.objects.filter(author_id=author_id).exists())
        self.assertFalse(any(storage.exists(name) for storage, name in old))

    @override_settings(JOBS_RUN_AT_COMMIT=False)
    def test_made_by_a_background_task_not_by_the_save_or_a_reader(self) -> None:
        """The save only queues a task; a reader's request before it runs gets the
        original, and makes nothing; the task makes them."""
        with self.captureOnCommitCallbacks(execute=True):
            author = AuthorFactory(photo=photo())
        queued = DBTaskResult.objects.get(
            task_path="pictures.renditions.make_photo_renditions",
            args_kwargs__kwargs={"author_id": author.pk},
        )
        self.assertFalse(author.photo_renditions.exists())
        with mock.patch.object(renditions, "render", side_effect=AssertionError("on request")):
            response = self.client.get(author.get_absolute_url())
        self.assertContains(response, f'src="{author.photo.url}"')
        self.assertFalse(author.photo_renditions.exists())
        run_now(queued.id)
        queued.refresh_from_db()
        self.assertEqual(queued.status, "SUCCESSFUL")
        self.assertEqual(author.photo_renditions.count(), 9)

    def test_a_rendition_belongs_to_an_image_or_an_author_never_both_or_neither(self) -> None:
        author = self.make()
        rendition = author.photo_renditions.first()
        image = Image.objects.first()  # the seeded story's
        for image_id, author_id in [(None, None), (image.pk, author.pk)]:
            with (
                self.subTest(image=image_id, author=author_id),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                Rendition.objects.filter(pk=rendition.pk).update(
                    image_id=image_id, author_id=author_id
                )


class PhotoExifTests(TestCase):
    def test_gps_exif_of_an_uploaded_photo_never_reaches_a_rendition(self) -> None:
        """Uploaded through the admin with camera and GPS EXIF: every rendition has none."""
        source = jpeg_with_gps()
        self.assertIn(0x8825, PILImage.open(io.BytesIO(source)).getexif())  # the test can fail
        editor = get_user_model().objects.create_superuser("edith", password="unused")
        self.client.force_login(editor)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("admin:authors_author_add"),
                {
                    "name": "Gia Photographer",
                    "slug": "gia",
                    "photo": SimpleUploadedFile("gps.jpg", source, content_type="image/jpeg"),
                    **inline_management("links", 0),
                    **inline_management("interests", 0),
                },
            )
        self.assertEqual(response.status_code, 302, response.content[-2000:])
        made = list(Author.objects.get(slug="gia").photo_renditions.all())
        self.assertEqual(len(made), 9)
        for rendition in made:
            with self.subTest(rendition=str(rendition)), rendition.file.open("rb") as handle:
                data = handle.read()
                exif = PILImage.open(io.BytesIO(data)).getexif()
                self.assertEqual(dict(exif), {})
                self.assertNotIn(b"Camera maker", data)


def tag(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return found[0]


class PhotoMarkupTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            cls.author = AuthorFactory(name="Ana Writer", slug="ana", photo=photo())
            cls.article = ArticleFactory(authors=[cls.author])

    def assert_picture(self, html: str, css_class: str, size: int) -> None:
        """A <picture>: square WebP sources and a JPEG <img>, both with srcset and sizes,
        the box's width and height, alt text, and no lazy loading (above the fold)."""
        picture = tag(html, rf'<picture>\s*<source [^>]+>\s*<img class="{css_class}"[^>]+>')
        source = tag(picture, r"<source [^>]+>")
        self.assertRegex(
            source,
            r'type="image/webp" srcset="[^"]+\.webp 96w, [^"]+\.webp 160w, '
            r'[^"]+\.webp 320w, [^"]+\.webp 480w"',
        )
        self.assertIn(f'sizes="{size}px"', source)
        img = tag(picture, r"<img [^>]+>")
        self.assertRegex(img, r'srcset="[^"]+\.jpg 96w, [^"]+\.jpg 160w, [^"]+\.jpg 320w, ')
        self.assertIn(f'sizes="{size}px"', img)
        self.assertIn(f'width="{size}" height="{size}"', img)
        self.assertIn('alt="Profile picture of Ana Writer"', img)
        self.assertNotIn("loading=", img)
        self.assertNotIn(self.author.photo.url, picture)
        # Every address in it is one of the author's renditions.
        urls = set(re.findall(r"(/media/[^ \"]+)", picture))
        files = {r.file.url for r in self.author.photo_renditions.all()}
        self.assertTrue(urls and urls <= files, urls - files)

    def test_author_page_shows_the_photo_from_renditions(self) -> None:
        html = self.client.get(self.author.get_absolute_url()).content.decode()
        self.assert_picture(html, "author__photo", 160)

    def test_article_byline_shows_the_photo_from_renditions(self) -> None:
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        meta = tag(html, r'<div class="article__meta">.*?</div>')
        self.assert_picture(meta, "byline__photo", 48)

    def test_person_image_and_social_cards_use_the_share_rendition(self) -> None:
        """The widest square JPEG (800 px here), with its size, in JSON-LD and OpenGraph."""
        share = self.author.photo_renditions.get(format="jpeg", width=800)
        response = self.client.get(self.author.get_absolute_url())
        [person] = json_ld(response)
        url = f"http://testserver{share.file.url}"
        self.assertEqual(
            person["image"], {"@type": "ImageObject", "url": url, "width": 800, "height": 800}
        )
        self.assertContains(response, f'<meta property="og:image" content="{url}">')
        self.assertContains(response, '<meta property="og:image:width" content="800">')
        self.assertContains(response, '<meta property="og:type" content="profile">')
        self.assertContains(response, f'<meta name="twitter:image" content="{url}">')

    def test_photo_without_renditions_yet_shows_the_original_in_its_box(self) -> None:
        author = AuthorFactory(slug="new", photo=photo((640, 480)))  # job never committed
        html = self.client.get(author.get_absolute_url()).content.decode()
        self.assertIn(
            f'<img class="author__photo" src="{author.photo.url}" width="160" height="160" '
            f'alt="Profile picture of {author.name}" decoding="async">',
            html,
        )
        [person] = json_ld(self.client.get(author.get_absolute_url()))
        self.assertEqual(person["image"]["url"], f"http://testserver{author.photo.url}")
        self.assertEqual((person["image"]["width"], person["image"]["height"]), (640, 480))

    def test_author_without_photo_has_no_picture_or_image(self) -> None:
        """No photo, no Person.image; shared, the page shows the publisher's picture."""
        author = AuthorFactory(slug="none")
        response = self.client.get(author.get_absolute_url())
        self.assertNotContains(response, "author__photo")
        self.assertContains(
            response, '<meta property="og:image" content="http://testserver/static/img/share.png">'
        )
        self.assertNotIn("image", json_ld(response)[0])


class SeededPhotoTests(TestCase):
    def test_seeded_author_photo_has_renditions_after_migrate(self) -> None:
        """The seed's 400 x 400 photo got its renditions from a data migration, so a
        fresh `make run` serves them on the seeded story and its author page."""
        author = Author.objects.get(slug="slauchlan")
        made = {(r.format, r.width) for r in author.photo_renditions.all()}
        self.assertEqual(
            made, {(fmt, width) for fmt in ("webp", "jpeg") for width in (96, 160, 320, 400)}
        )
        for rendition in author.photo_renditions.all():
            self.assertTrue(default_storage.exists(rendition.file.name), rendition.file.name)
        for url in [SEED_URL, author.get_absolute_url()]:
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertRegex(html, r'<source type="image/webp" srcset="[^"]+\.webp 96w')
