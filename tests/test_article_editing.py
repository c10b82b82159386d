"""The article form while a writer types: the live preview endpoint (the public page
from unsaved fields, never stored) and the server autosave (per writer and article,
never seen by readers, never a revision, never the article), with their permissions."""

from typing import Any

import reversion
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, TestCase
from django.urls import reverse
from reversion.models import Version

from articles.admin.forms import SEARCH_RESULT_HEADLINE
from articles.models import Article, Autosave
from newsroom.markdown import MAX_LENGTH
from tests.base import SEED_URL
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, SpeakerFactory
from tests.test_admin import inline_management

User = get_user_model()

PREVIEW = reverse("admin:articles_live_preview")
AUTOSAVE = reverse("admin:articles_autosave")
DISCARD = reverse("admin:articles_autosave_discard")


def article_form(**fields: str) -> dict[str, str]:
    """What the change form posts: these fields, one byline row and no other rows."""
    empty = ("quotes", "corrections", "own_disclosures", "citations")
    management = [inline_management(prefix, 0) for prefix in empty]
    return {
        **inline_management("bylines", 1),
        "bylines-0-position": "0",
        **{key: value for rows in management for key, value in rows.items()},
        **fields,
    }


class EditingTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = User.objects.create_user("edith", password="pw", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name="Editor"))
        cls.writer = User.objects.create_user("wendy", password="pw", is_staff=True)
        cls.writer.groups.add(Group.objects.get(name="Writer"))
        cls.other = User.objects.create_user("otto", password="pw", is_staff=True)
        cls.other.groups.add(Group.objects.get(name="Writer"))
        cls.author = AuthorFactory(name="Wendy Writer", user=cls.writer)
        cls.article = ArticleFactory(
            status=Article.Status.DRAFT,
            published_at=None,
            created_by=cls.writer,
            authors=[cls.author],
            headline="Saved headline",
            body="Saved body.",
        )
        cls.published = Article.objects.get(slug=SEED_URL.split("/")[2])

    def post(self, url: str, user: Any, **data: Any) -> Any:
        self.client.force_login(user)
        return self.client.post(url, data)


class LivePreviewTests(EditingTestCase):
    def test_preview_shows_unsaved_text_in_the_public_template(self) -> None:
        """The form's unsaved headline and body come back as the article page, with its
        length by the admin's rule and the structured data it would carry."""
        body = "## What changed\n\n" + "word " * 460
        response = self.post(
            PREVIEW,
            self.writer,
            article=self.article.pk,
            headline="Unsaved headline",
            body=body,
            kind="news",
            tags="Salesforce",
            **{"bylines-TOTAL_FORMS": "1", "bylines-0-author": str(self.author.pk)},
        )
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertIn("<h1", data["document"])
        self.assertIn("Unsaved headline", data["document"])
        self.assertIn("What changed</h2>", data["document"])
        self.assertIn('class="article', data["document"])
        self.assertEqual((data["words"], data["minutes"]), (463, 3))
        self.assertIn('"headline": "Unsaved headline"', data["structured_data"])
        self.assertIn("Wendy Writer", data["structured_data"])
        # The register's disclosure for the Salesforce topic, as it would be carried.
        self.assertIn("premier partner", data["document"])
        self.article.refresh_from_db()
        self.assertEqual(
            (self.article.headline, self.article.body), ("Saved headline", "Saved body.")
        )

    def test_new_article_preview_places_the_form_quotes(self) -> None:
        """A new article's quote rows are placed by their markers; nothing is stored."""
        speaker = SpeakerFactory(name="A spokesperson")
        articles = Article.objects.count()
        response = self.post(
            PREVIEW,
            self.writer,
            headline="Brand new",
            body="Intro.\n\n[[quote:reply]]",
            **{
                "quotes-TOTAL_FORMS": "1",
                "quotes-0-key": "reply",
                "quotes-0-text": "We hear you.",
                "quotes-0-speaker": str(speaker.pk),
                "quotes-0-said_on": "2018-06-2",  # half-typed date
            },
        )
        data = response.json()
        self.assertIn("We hear you.", data["document"])
        self.assertIn("A spokesperson", data["document"])
        self.assertEqual(data["unknown"], [])
        self.assertEqual(Article.objects.count(), articles)

    def test_unknown_markers_are_named_not_a_500(self) -> None:
        ImageFactory(key="harbour")
        response = self.post(
            PREVIEW,
            self.writer,
            article=self.article.pk,
            body="[[quote:nobody]]\n\n[[image:harbour]]\n\n[[image:nowhere]]\n\n[[quote:",
            **{"quotes-TOTAL_FORMS": "x", "bylines-TOTAL_FORMS": "-1", "kind": "bogus"},
        )
        self.assertEqual(response.status_code, 200)
        unknown = [(item["kind"], item["key"]) for item in response.json()["unknown"]]
        self.assertEqual(unknown, [("quote", "nobody"), ("image", "nowhere")])
        self.assertIn("matches no quote", response.json()["unknown"][0]["message"])

    def test_body_too_long_is_explained(self) -> None:
        response = self.post(PREVIEW, self.writer, body="a" * (MAX_LENGTH + 1))
        self.assertEqual(response.status_code, 400)
        self.assertIn("characters", response.json()["error"])
        self.assertNotIn("document", response.json())

    def test_writer_cannot_preview_another_writers_article(self) -> None:
        response = self.post(PREVIEW, self.other, article=self.article.pk, body="Mine now")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json(), {"error": "No such article."})

    def test_writer_cannot_preview_a_published_article_they_may_not_change(self) -> None:
        """Writers see published articles they are bylined on but change only drafts."""
        live = ArticleFactory(created_by=self.writer, authors=[self.author])
        response = self.post(PREVIEW, self.writer, article=live.pk, body="Edited")
        self.assertEqual(response.status_code, 403)

    def test_get_is_refused(self) -> None:
        self.client.force_login(self.writer)
        self.assertEqual(self.client.get(PREVIEW).status_code, 405)


class AutosaveTests(EditingTestCase):
    def change_form(self, user: Any, article: Article | None = None) -> Any:
        self.client.force_login(user)
        if article is None:
            return self.client.get(reverse("admin:articles_article_add"))
        return self.client.get(reverse("admin:articles_article_change", args=[article.pk]))

    def test_autosave_is_offered_back_in_another_session(self) -> None:
        response = self.post(
            AUTOSAVE,
            self.writer,
            article=self.article.pk,
            version=self.article.version,
            headline="Typed, not saved",
            body="Three hours of work.",
        )
        self.assertEqual(response.status_code, 200)
        self.assertRegex(response.json()["label"], r"^\d\d:\d\d$")
        self.client.logout()
        form = self.change_form(self.writer, self.article)
        self.assertContains(form, "Three hours of work.")
        self.assertContains(form, 'id="autosave-data"')
        self.assertEqual(form.context["autosave"]["fields"]["headline"], "Typed, not saved")
        self.assertFalse(form.context["autosave"]["outdated"])

    def test_one_copy_per_writer_and_article_never_the_article_or_a_revision(self) -> None:
        revisions = Version.objects.count()
        for text in ("First", "Second"):
            self.post(AUTOSAVE, self.writer, article=self.article.pk, body=text)
            self.post(AUTOSAVE, self.writer, body=f"New {text}")
        self.assertEqual(Autosave.objects.count(), 2)
        self.assertEqual(
            sorted(Autosave.objects.values_list("fields__body", flat=True)),
            ["New Second", "Second"],
        )
        self.article.refresh_from_db()
        self.assertEqual(self.article.body, "Saved body.")
        self.assertEqual(Version.objects.count(), revisions)

    def test_another_writer_sees_no_autosave_and_cannot_make_one(self) -> None:
        self.post(AUTOSAVE, self.writer, body="My new story")
        form = self.change_form(self.other)
        self.assertNotContains(form, "My new story")
        response = self.post(AUTOSAVE, self.other, article=self.article.pk, body="Mine")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json(), {"error": "No such article."})
        response = self.post(DISCARD, self.other, article=self.article.pk)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Autosave.objects.filter(user=self.other).exists())

    def test_readers_never_see_an_autosave(self) -> None:
        self.post(AUTOSAVE, self.editor, article=self.published.pk, body="Unchecked rumour")
        self.client.logout()
        page = self.client.get(SEED_URL)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Unchecked rumour")

    def test_too_long_is_a_clear_json_error(self) -> None:
        response = self.post(
            AUTOSAVE,
            self.writer,
            headline="h" * (Article._meta.get_field("headline").max_length + 1),
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("headline is longer than", response.json()["error"])
        self.assertFalse(Autosave.objects.exists())

    def test_saving_the_article_deletes_the_writers_autosave(self) -> None:
        self.post(AUTOSAVE, self.writer, body="About to be saved")
        self.post(AUTOSAVE, self.writer, article=self.article.pk, body="Elsewhere")
        data = article_form(
            headline="Saved at last",
            slug="saved-at-last",
            kind="news",
            body="Done.",
            **{"bylines-0-author": str(self.author.pk)},
        )
        response = self.client.post(reverse("admin:articles_article_add"), data)
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertEqual(
            list(Autosave.objects.values_list("article", flat=True)), [self.article.pk]
        )

    def test_outdated_autosave_restored_is_still_refused_on_save(self) -> None:
        """Made against version N, offered after someone saved N+1: marked outdated, and
        the version it carries is the one the form sends back, which the save refuses."""
        self.post(AUTOSAVE, self.editor, article=self.article.pk, version=self.article.version)
        with reversion.create_revision():
            self.article.headline = "Someone else's save"
            self.article.save()
        form = self.change_form(self.editor, self.article)
        offer = form.context["autosave"]
        self.assertTrue(offer["outdated"])
        self.assertEqual(offer["version"], self.article.version - 1)
        byline = self.article.bylines.get()
        restored = article_form(
            headline="Restored headline",
            slug=self.article.slug,
            kind="news",
            body="Restored body.",
            loaded_version=str(offer["version"]),
            **{
                "bylines-INITIAL_FORMS": "1",
                "bylines-0-id": str(byline.pk),
                "bylines-0-article": str(self.article.pk),
                "bylines-0-author": str(self.author.pk),
            },
        )
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        response = self.client.post(url, restored)
        self.assertContains(response, "saved this article at")
        self.article.refresh_from_db()
        self.assertEqual(self.article.headline, "Someone else's save")

    def test_refused_without_the_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.writer)
        for url in (AUTOSAVE, PREVIEW, DISCARD):
            with self.subTest(url=url):
                self.assertEqual(client.post(url, {"body": "x"}).status_code, 403)
        self.assertFalse(Autosave.objects.exists())

    def test_discard(self) -> None:
        self.post(AUTOSAVE, self.writer, article=self.article.pk, body="Throw away")
        response = self.post(DISCARD, self.writer, article=self.article.pk)
        self.assertEqual(response.json(), {"discarded": True})
        self.assertFalse(Autosave.objects.exists())


class LayoutTests(EditingTestCase):
    def test_form_puts_writing_first_and_keeps_every_field(self) -> None:
        self.client.force_login(self.editor)
        response = self.client.get(reverse("admin:articles_article_change", args=[self.article.pk]))
        html = response.content.decode()
        main, side = html.split('class="article-editor__side"')
        for name in ("headline", "standfirst", "body"):
            self.assertIn(f'name="{name}"', main.split("article-editor__main", 1)[1])
        for name in ("tags", "kind", "slug", "lead_image", "embargo_until_0", "backstory"):
            self.assertIn(f'name="{name}"', side)
        self.assertIn('id="bylines-group"', side)
        self.assertIn("workflow-state", side)
        self.assertIn(f'data-search-limit="{SEARCH_RESULT_HEADLINE}"', html)
        self.assertIn('id="accessibility-panel"', html)
        self.assertIn("vendor/easymde/easymde.min.js", html)
