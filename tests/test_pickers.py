"""The article form's pickers: the image library searched, a picture uploaded and a
speaker created from the dialogs, with the rules and permissions of the image and
speaker admins, clear JSON refusals and a fixed number of queries."""

import io
import json

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from PIL import Image as PILImage

from pictures.models import Image
from pictures.renditions import ensure_renditions
from quotes.models import Speaker
from tests.factories import ArticleFactory, ImageFactory, SpeakerFactory, png_bytes

IMAGES = reverse("admin:articles_pick_images")
UPLOAD = reverse("admin:articles_pick_upload")
SPEAKERS = reverse("admin:articles_pick_speaker")


def staff_with(username: str, *codenames: str) -> object:
    """A staff account holding exactly these permissions."""
    user = get_user_model().objects.create_user(username, password="unused", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def upload_data(content: bytes | None = None, **fields: str) -> dict[str, object]:
    data: dict[str, object] = {"alt_text": "", "caption": "", "credit": "", **fields}
    if content is not None:
        data["file"] = SimpleUploadedFile("photo.png", content, content_type="image/png")
    return data


class PickerTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = get_user_model().objects.create_user("wendy", password="unused")
        call_command("grant_role", "wendy", "writer", verbosity=0)

    def setUp(self) -> None:
        self.client.force_login(self.writer)

    def errors(self, response: object, status: int = 400) -> dict[str, list[str]]:
        self.assertEqual(response.status_code, status)  # type: ignore[attr-defined]
        self.assertEqual(response["Content-Type"], "application/json")  # type: ignore[index]
        return json.loads(response.content)["errors"]  # type: ignore[attr-defined]


class ImageSearchTests(PickerTests):
    def keys(self, query: str = "", page: int | str = 1) -> list[str]:
        response = self.client.get(IMAGES, {"q": query, "page": page})
        self.assertEqual(response.status_code, 200)
        return [image["key"] for image in response.json()["results"]]

    def test_search_finds_images_by_key_alt_text_caption_and_credit(self) -> None:
        ImageFactory(key="harbour-at-dawn", alt_text="Boats", caption="Morning", credit="AP")
        ImageFactory(key="council", alt_text="A crowded chamber", caption="", credit="PA")
        ImageFactory(key="summit", alt_text="Leaders", caption="Davos panel", credit="WEF")
        ImageFactory(key="pitch", alt_text="Grass", caption="Cup final", credit="Reuters Pix")
        self.assertEqual(self.keys("harbour"), ["harbour-at-dawn"])
        self.assertEqual(self.keys("CROWDED"), ["council"])
        self.assertEqual(self.keys("davos"), ["summit"])
        self.assertEqual(self.keys("reuters"), ["pitch"])
        # Every word must match somewhere: "cup reuters" narrows, "cup davos" finds none.
        self.assertEqual(self.keys("cup reuters"), ["pitch"])
        self.assertEqual(self.keys("cup davos"), [])

    def test_results_page_through_the_library_newest_first(self) -> None:
        for number in range(25):
            ImageFactory(key=f"pager-{number:02}", credit="Pager agency")
        first = self.client.get(IMAGES, {"q": "pager"}).json()
        self.assertEqual(len(first["results"]), 24)
        self.assertEqual(first["results"][0]["key"], "pager-24")
        self.assertIs(first["has_next"], True)
        second = self.client.get(IMAGES, {"q": "pager", "page": 2}).json()
        self.assertEqual([image["key"] for image in second["results"]], ["pager-00"])
        self.assertIs(second["has_next"], False)

    def test_a_page_that_is_no_page_is_refused_clearly(self) -> None:
        message = {"page": ["The page must be a whole number from 1 to 100,000."]}
        for page in ("two", "0", "-1", "100001", "9" * 30, "1" * 5000):
            with self.subTest(page=page[:10]):
                self.assertEqual(self.errors(self.client.get(IMAGES, {"page": page})), message)

    def test_search_terms_a_database_refuses_find_nothing_instead_of_failing(self) -> None:
        """NUL and other characters XML forbids (PostgreSQL refuses NUL in text) are
        left out of the term, as they are of everything typed into the admin."""
        ImageFactory(key="harbour")
        self.assertEqual(self.keys("harb\x00our\x0b"), ["harbour"])
        self.assertEqual(self.keys("\x00"), self.keys(""))
        self.assertEqual(self.keys("x" * 10_000), [])

    def test_thumbnails_come_from_renditions_and_a_missing_picture_has_none(self) -> None:
        ready = ImageFactory(key="ready", file=ContentFile(png_bytes((900, 600)), name="r.png"))
        ensure_renditions(ready)
        waiting = ImageFactory(key="waiting")  # its renditions not made yet
        ImageFactory(key="missing", file="", source_url="https://example.com/lost.jpg")
        results = {
            image["key"]: image for image in self.client.get(IMAGES, {"q": "i"}).json()["results"]
        }
        narrowest = ready.renditions.get(crop="original", format="webp", width=400)
        self.assertEqual(results["ready"]["thumbnail"], narrowest.file.url)
        self.assertEqual(results["waiting"]["thumbnail"], waiting.file.url)
        self.assertIsNone(results["missing"]["thumbnail"])
        self.assertEqual(
            set(results["ready"]),
            {"id", "name", "key", "alt_text", "is_decorative", "caption", "credit", "thumbnail"},
        )

    def test_search_runs_a_fixed_number_of_queries(self) -> None:
        for number in range(3):
            ensure_renditions(ImageFactory(key=f"counted-{number}"))
        self.client.get(IMAGES)  # the session and permissions are cached per request only
        # session, user, the user's permissions (groups, own), images, their renditions
        with self.assertNumQueries(6):
            self.assertEqual(len(self.keys("counted")), 3)
        ImageFactory.create_batch(5, credit="counted")
        with self.assertNumQueries(6):
            self.assertEqual(len(self.keys("counted")), 8)

    def test_search_needs_a_login_and_the_permissions(self) -> None:
        self.client.logout()
        response = self.client.get(IMAGES)
        self.assertRedirects(response, f"{reverse('admin:login')}?next={IMAGES}")
        # Staff who may see images but write no article, and writers of articles who may
        # not see the image library, are both refused.
        for user in (
            staff_with("viewer", "view_image", "view_article"),
            staff_with("blind", "add_article", "change_article"),
        ):
            self.client.force_login(user)
            self.assertEqual(self.client.get(IMAGES).status_code, 403)

    def test_search_answers_only_get(self) -> None:
        self.assertEqual(self.client.post(IMAGES).status_code, 405)


class UploadTests(PickerTests):
    def test_writer_uploads_a_picture_with_its_words(self) -> None:
        response = self.client.post(
            UPLOAD,
            upload_data(
                png_bytes((300, 200)),
                alt_text="Staff outside the tower",
                caption="Salesforce Tower, San Francisco",
                credit="WEF",
            ),
        )
        self.assertEqual(response.status_code, 201)
        image = Image.objects.get(key=response.json()["key"])
        self.assertEqual(image.key, "salesforce-tower-san-francisco")
        self.assertEqual(
            (image.alt_text, image.caption, image.credit, image.is_decorative),
            ("Staff outside the tower", "Salesforce Tower, San Francisco", "WEF", False),
        )
        self.assertEqual((image.width, image.height), (300, 200))
        self.assertEqual(response.json()["thumbnail"], image.file.url)
        # Recorded like an addition in the image admin.
        entry = LogEntry.objects.get(object_id=str(image.pk))
        self.assertEqual((entry.user, entry.action_flag), (self.writer, ADDITION))

    def test_keys_are_made_unique_from_the_caption_else_the_alt_text(self) -> None:
        keys = [
            self.client.post(UPLOAD, upload_data(png_bytes(), **fields)).json()["key"]
            for fields in (
                {"alt_text": "A", "caption": "Harbour"},
                {"alt_text": "B", "caption": "Harbour"},
                {"alt_text": "Harbour"},
                {"alt_text": "Émile on the quay"},
                {"alt_text": "!!!"},
            )
        ]
        self.assertEqual(keys, ["harbour", "harbour-2", "harbour-3", "emile-on-the-quay", "image"])

    def test_alt_text_is_required_unless_the_picture_is_decorative(self) -> None:
        response = self.client.post(UPLOAD, upload_data(png_bytes(), caption="No words"))
        self.assertIn("tick “Decorative”", self.errors(response)["alt_text"][0])
        self.assertFalse(Image.objects.filter(caption="No words").exists())
        blank = self.client.post(UPLOAD, upload_data(png_bytes(), alt_text="   "))
        self.assertIn("alt_text", self.errors(blank))
        response = self.client.post(
            UPLOAD, upload_data(png_bytes(), caption="A rule", is_decorative="on")
        )
        self.assertEqual(response.status_code, 201)
        image = Image.objects.get(key="a-rule")
        self.assertEqual((image.alt_text, image.is_decorative), ("", True))

    def test_files_the_image_admin_refuses_are_refused_with_its_reasons(self) -> None:
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'
        tail = png_bytes() + b"<script>alert(1)</script>"
        buffer = io.BytesIO()
        PILImage.new("RGB", (20, 20)).save(buffer, format="BMP")
        cases = {
            "svg": (svg, "not a valid JPEG, PNG, WebP or GIF picture"),
            "html appended": (tail, "carries something besides the picture"),
            "bmp": (buffer.getvalue(), "BMP pictures are not accepted"),
            "empty": (b"", "The submitted file is empty."),
        }
        for label, (content, message) in cases.items():
            with self.subTest(label):
                response = self.client.post(UPLOAD, upload_data(content, alt_text=label))
                self.assertIn(message, " ".join(self.errors(response)["file"]))
        missing = self.client.post(UPLOAD, upload_data(alt_text="No file"))
        self.assertEqual(self.errors(missing)["file"], ["This field is required."])
        self.assertFalse(Image.objects.filter(alt_text__in=[*cases, "No file"]).exists())

    @override_settings(MAX_IMAGE_UPLOAD_BYTES=10_000)
    def test_a_file_over_the_size_limit_is_refused(self) -> None:
        buffer = io.BytesIO()
        PILImage.new("RGB", (400, 400), "#336699").save(buffer, format="PNG", compress_level=0)
        response = self.client.post(UPLOAD, upload_data(buffer.getvalue(), alt_text="Big"))
        self.assertEqual(
            self.errors(response)["file"], ["The file is larger than the 0.00953674 MB limit."]
        )
        self.assertFalse(Image.objects.filter(alt_text="Big").exists())

    def test_words_are_held_to_the_image_fields_limits(self) -> None:
        response = self.client.post(UPLOAD, upload_data(png_bytes(), alt_text="x" * 301))
        self.assertIn("at most 300 characters", self.errors(response)["alt_text"][0])

    def test_upload_needs_the_add_image_permission(self) -> None:
        self.client.force_login(staff_with("no-upload", "add_article", "view_image"))
        response = self.client.post(UPLOAD, upload_data(png_bytes(), alt_text="Refused"))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Image.objects.filter(alt_text="Refused").exists())

    def test_upload_answers_only_post_and_checks_csrf(self) -> None:
        self.assertEqual(self.client.get(UPLOAD).status_code, 405)
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.writer)
        response = client.post(UPLOAD, upload_data(png_bytes(), alt_text="Forged"))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Image.objects.filter(alt_text="Forged").exists())

    def test_upload_runs_a_fixed_number_of_queries(self) -> None:
        self.client.post(UPLOAD, upload_data(png_bytes(), alt_text="Warm"))  # content types
        data = upload_data(png_bytes(), alt_text="Counted", caption="Counted")
        # session, user, permissions (own, groups); free key, the key's uniqueness;
        # savepoint, insert, the pages that show the key (stored bodies: find, forget
        # twice), the renditions task, log entry, release; its renditions (none yet)
        with self.assertNumQueries(15):
            self.assertEqual(self.client.post(UPLOAD, data).status_code, 201)


class SpeakerTests(PickerTests):
    def test_writer_creates_a_speaker_with_a_free_slug(self) -> None:
        SpeakerFactory(name="Jane Roe", slug="jane-roe")
        response = self.client.post(SPEAKERS, {"name": "Jane Roe", "kind": "person"})
        self.assertEqual(response.status_code, 201)
        speaker = Speaker.objects.get(pk=response.json()["id"])
        self.assertEqual(response.json(), {"id": speaker.pk, "name": "Jane Roe"})
        self.assertEqual((speaker.slug, speaker.kind), ("jane-roe-2", "person"))
        group = self.client.post(SPEAKERS, {"name": "Salesforce staff", "kind": "group"})
        self.assertEqual(Speaker.objects.get(pk=group.json()["id"]).kind, "group")
        self.assertTrue(
            LogEntry.objects.filter(object_id=str(speaker.pk), action_flag=ADDITION).exists()
        )

    def test_a_speaker_needs_a_name_and_a_known_kind(self) -> None:
        before = Speaker.objects.count()
        self.assertEqual(
            self.errors(self.client.post(SPEAKERS, {"name": "  ", "kind": "person"})),
            {"name": ["This field is required."]},
        )
        refused = self.errors(self.client.post(SPEAKERS, {"name": "Al", "kind": "robot"}))
        self.assertIn("Select a valid choice", refused["kind"][0])
        long = self.errors(self.client.post(SPEAKERS, {"name": "n" * 201, "kind": "person"}))
        self.assertIn("at most 200 characters", long["name"][0])
        self.assertEqual(Speaker.objects.count(), before)

    def test_creating_a_speaker_needs_the_add_speaker_permission(self) -> None:
        self.client.force_login(staff_with("no-speakers", "add_article", "view_speaker"))
        response = self.client.post(SPEAKERS, {"name": "Refused", "kind": "person"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Speaker.objects.filter(name="Refused").exists())
        self.client.force_login(staff_with("reader", "add_speaker"))  # writes no article
        self.assertEqual(
            self.client.post(SPEAKERS, {"name": "R", "kind": "person"}).status_code, 403
        )

    def test_creating_a_speaker_runs_a_fixed_number_of_queries(self) -> None:
        self.client.post(SPEAKERS, {"name": "Warm", "kind": "person"})  # content types
        # session, user, permissions (own, groups); free slug, the kind's check
        # constraint (in a savepoint), the slug's uniqueness; savepoint, insert, log
        # entry, release
        with self.assertNumQueries(13):
            response = self.client.post(SPEAKERS, {"name": "Counted", "kind": "person"})
        self.assertEqual(response.status_code, 201)


class ChangeFormTests(PickerTests):
    def test_the_dialogs_come_with_a_form_the_user_may_edit(self) -> None:
        add = self.client.get(reverse("admin:articles_article_add"))
        self.assertContains(add, 'id="quote-picker"')
        self.assertContains(add, 'id="image-picker"')
        self.assertContains(add, 'data-picker="quote"')
        self.assertContains(add, 'id="upload-file"')  # writers may add images
        self.assertContains(add, '<option value="statement">Statement</option>', html=True)
        # A live article is read-only for its writer: nothing to insert into.
        live = ArticleFactory(created_by=self.writer)
        page = self.client.get(reverse("admin:articles_article_change", args=[live.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'id="quote-picker"')
