"""Editors write and publish through the admin, and readers see the result."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from articles.models import Article
from pictures.models import Image
from tests.base import SEED_URL, page_text
from tests.factories import AuthorFactory, ImageFactory, SpeakerFactory, png_bytes

ADD_URL = reverse("admin:articles_article_add")


def inline_management(prefix: str, total: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


class AdminRoundTripTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = get_user_model().objects.create_superuser(
            "editor", "editor@example.com", "a-long-test-password"
        )
        cls.author = AuthorFactory(name="Jane Reporter", slug="jane-reporter")
        cls.picture = ImageFactory(key="lead-picture", alt_text="A data centre", caption="Servers")
        cls.speaker = SpeakerFactory(name="A Chief Executive", slug="a-chief-executive")

    def setUp(self) -> None:
        self.client.force_login(self.editor)

    def article_form(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "headline": "Second story, written in the admin",
            "slug": "second-story-written-in-the-admin",
            "kind": "news",
            "standfirst": "Proof that an editor can publish a story end to end.",
            "body": "First paragraph of the new story.\n\n[[quote:ceo]]\n\nLast paragraph.",
            "tags": "Salesforce, Cloud",
            "lead_image": str(self.picture.pk),
            "embargo_until_0": "",
            "embargo_until_1": "",
            "embargo_by": "",
            "embargo_note": "",
            **inline_management("bylines", 1),
            "bylines-0-author": str(self.author.pk),
            "bylines-0-position": "0",
            **inline_management("quotes", 1),
            "quotes-0-key": "ceo",
            "quotes-0-text": "We will keep building.",
            "quotes-0-speaker": str(self.speaker.pk),
            "quotes-0-source_kind": "interview",
            "quotes-0-source_title": "Interview with us",
            "quotes-0-position": "0",
            **inline_management("corrections", 0),
            **inline_management("own_disclosures", 0),
            **inline_management("citations", 0),
        }
        data.update(overrides)
        return data

    def test_editor_publishes_a_second_story_seen_on_home(self) -> None:
        """An editor creates a story with author, quote, tags and image, saves it and
        publishes it from the checklist page; readers see it on the home page."""
        response = self.client.post(ADD_URL, self.article_form(_workflow="publish"))
        article = Article.objects.get(slug="second-story-written-in-the-admin")
        publish_url = reverse("admin:articles_article_workflow", args=[article.pk, "publish"])
        self.assertRedirects(response, publish_url)
        self.assertEqual([a.name for a in article.ordered_authors], ["Jane Reporter"])
        self.assertEqual(sorted(t.name for t in article.tags.all()), ["Cloud", "Salesforce"])
        self.assertEqual(article.status, Article.Status.DRAFT)
        self.assertContains(self.client.get(publish_url), "At time of writing Salesforce")
        response = self.client.post(publish_url, {"publish_at": "", "override_reason": ""})
        self.assertRedirects(response, reverse("admin:articles_article_change", args=[article.pk]))

        self.client.logout()
        home = self.client.get("/")
        self.assertContains(home, "Second story, written in the admin")
        page = self.client.get(article.get_absolute_url())
        self.assertContains(page, "<blockquote")
        self.assertIn(
            "We will keep building. A Chief Executive, Interview with us", page_text(page)
        )
        self.assertContains(page, 'alt="A data centre"')
        # Tagged Salesforce, so the register's Salesforce disclosure attaches itself.
        self.assertContains(page, "At time of writing Salesforce is a premier partner")

    def test_marker_without_quote_is_a_clear_error(self) -> None:
        """A [[quote:...]] marker that names no quote is refused, and nothing is saved."""
        data = self.article_form(body="Text.\n\n[[quote:ceo]]\n\n[[quote:missing]]")
        response = self.client.post(ADD_URL, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The body places quotes that this article does not have")
        self.assertContains(response, "[[quote:missing]]")
        self.assertFalse(Article.objects.filter(slug=data["slug"]).exists())

    def test_unplaced_quote_is_a_clear_error(self) -> None:
        """A quote neither placed in the body nor marked as a pull quote is refused."""
        response = self.client.post(ADD_URL, self.article_form(body="No marker here."))
        self.assertContains(response, "These quotes are not placed in the body: ceo")

    def test_draft_with_incomplete_quote_saves_and_publishing_names_it(self) -> None:
        """A quote without speaker or kind of source does not stop a draft saving; the
        checklist refuses to publish it, naming the quote, and the preview shows it."""
        data = self.article_form(**{"quotes-0-speaker": "", "quotes-0-source_kind": ""})
        response = self.client.post(ADD_URL, data)
        self.assertEqual(
            response.status_code, 302, response.context and response.context.get("errors")
        )
        article = Article.objects.get(slug=data["slug"])
        self.assertEqual(article.status, Article.Status.DRAFT)
        quote = article.quotes.get()
        self.assertEqual((quote.speaker, quote.source_kind), (None, ""))

        preview = self.client.get(reverse("admin:articles_article_preview", args=[article.pk]))
        self.assertContains(preview, "We will keep building.")
        self.assertContains(preview, "No speaker yet")

        problem = "Quotes to complete: “ceo” has no speaker and no kind of source."
        for action in ("submit", "publish"):
            url = reverse("admin:articles_article_workflow", args=[article.pk, action])
            self.assertContains(self.client.get(url), problem)
            self.assertContains(self.client.post(url), problem)
            article.refresh_from_db()
            self.assertEqual(article.status, Article.Status.DRAFT)

        quote.speaker, quote.source_kind = self.speaker, "interview"
        quote.save()
        url = reverse("admin:articles_article_workflow", args=[article.pk, "publish"])
        self.assertNotContains(self.client.get(url), "Quotes to complete")

    def test_image_marker_without_image_is_a_clear_error(self) -> None:
        """[[image:...]] must name an uploaded image."""
        response = self.client.post(
            ADD_URL, self.article_form(body="[[quote:ceo]]\n\n[[image:nowhere]]")
        )
        self.assertContains(response, "No image has the key [[image:nowhere]]")

    def test_duplicate_slug_is_refused(self) -> None:
        """Slugs are unique: a second article with the seed's slug is refused with a message."""
        data = self.article_form(slug=SEED_URL.split("/")[2])
        response = self.client.post(ADD_URL, data)
        self.assertContains(response, "Article with this Slug already exists.")

    def test_admin_pages_render(self) -> None:
        """The change list (with search and filters), add and change forms all load."""
        seed = Article.objects.get(slug=SEED_URL.split("/")[2])
        for url in [
            reverse("admin:articles_article_changelist"),
            reverse("admin:articles_article_changelist") + "?q=Salesforce&status__exact=published",
            ADD_URL,
            reverse("admin:articles_article_change", args=[seed.pk]),
            reverse("admin:pictures_image_changelist"),
            reverse("admin:disclosures_disclosure_changelist"),
            reverse("admin:authors_author_changelist"),
            reverse("admin:authors_author_change", args=[self.author.pk]),
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        change = self.client.get(reverse("admin:articles_article_change", args=[seed.pk]))
        self.assertContains(change, "/media/seed/marc-benioff.png")  # image preview
        self.assertContains(change, "View on site")

    def test_image_upload_gets_generated_name_and_size(self) -> None:
        """An uploaded picture is stored under a generated name with its size recorded."""
        upload = SimpleUploadedFile("My Holiday Photo.png", png_bytes((120, 80)), "image/png")
        response = self.client.post(
            reverse("admin:pictures_image_add"),
            {"file": upload, "key": "holiday", "alt_text": "A beach", "caption": "", "credit": ""},
        )
        self.assertEqual(response.status_code, 302)
        image = Image.objects.get(key="holiday")
        self.assertNotIn("Holiday", image.file.name)
        self.assertTrue(image.file.name.endswith(".png"))
        self.assertEqual((image.width, image.height), (120, 80))

    def test_non_image_upload_is_refused(self) -> None:
        """A file that is not a picture is refused with a clear form error."""
        upload = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", "image/png")
        response = self.client.post(
            reverse("admin:pictures_image_add"),
            {"file": upload, "key": "evil", "alt_text": "x", "caption": "", "credit": ""},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Image.objects.filter(key="evil").exists())
        self.assertContains(response, "The file is not a valid JPEG, PNG, WebP or GIF picture.")

    def test_anonymous_is_sent_to_login(self) -> None:
        """The admin is for staff only."""
        self.client.logout()
        response = self.client.get(ADD_URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("admin:login"), response["Location"])


class MovedAdminPagesTests(TestCase):
    def test_old_addresses_of_moved_models_open_their_pages(self) -> None:
        """Images, speakers, organisations and the register moved out of the articles
        app: a bookmark of their old admin address leads to the same page."""
        editor = get_user_model().objects.create_superuser("editor")
        self.client.force_login(editor)
        speaker = SpeakerFactory()
        cases = {
            "/admin/articles/image/": "/admin/pictures/image/",
            f"/admin/articles/speaker/{speaker.pk}/change/?_popup=1": (
                f"/admin/quotes/speaker/{speaker.pk}/change/?_popup=1"
            ),
            "/admin/articles/organisation/add/": "/admin/disclosures/organisation/add/",
            "/admin/articles/disclosure/?kind=partner": (
                "/admin/disclosures/disclosure/?kind=partner"
            ),
        }
        for old, new in cases.items():
            with self.subTest(old):
                response = self.client.get(old)
                self.assertRedirects(response, new, status_code=301)
        self.assertEqual(self.client.get("/admin/articles/article/").status_code, 200)

    def test_moved_models_stay_in_the_newsroom_section(self) -> None:
        """The sidebar lists images, speakers, organisations and the register under
        Newsroom, and their pages' breadcrumbs name it, as before they moved apps."""
        editor = get_user_model().objects.create_superuser("editor")
        self.client.force_login(editor)
        speaker = SpeakerFactory()
        page = self.client.get(reverse("admin:quotes_speaker_change", args=[speaker.pk]))
        self.assertContains(page, '<a href="/admin/quotes/">Newsroom</a>', html=True)
        index = self.client.get(reverse("admin:index"))
        sections = {app["name"]: app for app in index.context["app_list"]}
        listed = {model["object_name"] for model in sections["Newsroom"]["models"]}
        self.assertLessEqual({"Article", "Image", "Speaker", "Organisation", "Disclosure"}, listed)
