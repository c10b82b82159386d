"""The editor's side of quotes and disclosures: changed quotes, the disclosures an
article will carry, the register and the policy pages."""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Model
from django.forms.models import model_to_dict
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from disclosures.models import Disclosure, Organisation
from pages.models import Page
from quotes.models import Quote
from tests.base import SEED_SLUG
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DisclosureFactory,
    QuoteFactory,
    SpeakerFactory,
)

INLINES = {
    "bylines": ("bylines", ["author", "position"]),
    "quotes": (
        "quotes",
        [
            "key",
            "text",
            "speaker",
            "source_kind",
            "source_title",
            "reported_by",
            "source_url",
            "said_on",
            "context",
            "is_pull_quote",
            "position",
        ],
    ),
    "corrections": ("corrections", ["kind", "text", "published_at"]),
    "own_disclosures": (
        "own_disclosures",
        ["organisation", "kind", "statement", "valid_from", "valid_until"],
    ),
    "citations": ("citations", ["title", "url", "position"]),
}


def form_value(value: Any) -> Any:
    return "" if value is None else value


def split_datetime(data: dict[str, Any], name: str, value: datetime.datetime | None) -> None:
    """The admin's split date and time widgets."""
    local = timezone.localtime(value) if value else None
    data[f"{name}_0"] = local.strftime("%Y-%m-%d") if local else ""
    data[f"{name}_1"] = local.strftime("%H:%M:%S") if local else ""


def change_form_data(article: Article) -> dict[str, Any]:
    """What the article's change form posts when the editor changes nothing."""
    article_fields = ["headline", "slug", "kind", "dateline", "standfirst", "body", "backstory"]
    data: dict[str, Any] = {
        **{name: form_value(getattr(article, name)) for name in article_fields},
        "tags": ", ".join(tag.name for tag in article.tags.all()),
        "lead_image": article.lead_image_id or "",
        "embargo_by": article.embargo_by,
        "embargo_note": article.embargo_note,
        "loaded_version": article.version,
        "update_reason": "",
    }
    split_datetime(data, "embargo_until", article.embargo_until)
    for prefix, (related, fields) in INLINES.items():
        rows: list[Model] = list(getattr(article, related).all())
        data |= {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows)}
        for n, row in enumerate(rows):
            data[f"{prefix}-{n}-id"] = row.pk
            data[f"{prefix}-{n}-article"] = article.pk
            for name, value in model_to_dict(row, fields=fields).items():
                if isinstance(value, datetime.datetime):
                    split_datetime(data, f"{prefix}-{n}-{name}", value)
                elif value is True:
                    data[f"{prefix}-{n}-{name}"] = "on"
                elif value is not False:
                    data[f"{prefix}-{n}-{name}"] = form_value(value)
    return data


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = get_user_model().objects.create_superuser(
            "editor", "editor@example.com", "a-long-test-password"
        )
        cls.seed = Article.objects.get(slug=SEED_SLUG)
        cls.salesforce = Organisation.objects.get(slug="salesforce")

    def setUp(self) -> None:
        self.client.force_login(self.editor)

    def save_article(self, article: Article, **changes: Any) -> Any:
        data = change_form_data(article) | changes
        url = reverse("admin:articles_article_change", args=[article.pk])
        response = self.client.post(url, data, follow=True)
        self.assertEqual(response.redirect_chain[0][1], 302, response.content.decode()[:3000])
        return response


class QuoteChangedAfterPublicationTests(AdminTestCase):
    def test_changing_published_words_is_recorded_and_prompts_a_correction(self) -> None:
        """Readers saw the old words: the admin keeps them with the time of the change,
        shows it on the quote, and asks the editor for a correction."""
        quote = self.seed.quotes.get(key="values-tested")
        old = quote.text
        n = list(self.seed.quotes.all()).index(quote)
        response = self.save_article(self.seed, **{f"quotes-{n}-text": "Those values are tested."})
        self.assertContains(response, "You changed the words of a published quote (values-tested)")
        self.assertContains(response, "add a correction saying what changed")
        quote.refresh_from_db()
        self.assertEqual(quote.previous_text, old)
        self.assertIsNotNone(quote.text_changed_at)
        change = self.client.get(reverse("admin:articles_article_change", args=[self.seed.pk]))
        self.assertContains(change, "Readers first saw: “Those values often feel abstract")

    def test_no_prompt_when_a_correction_is_added_in_the_same_save(self) -> None:
        quote = self.seed.quotes.get(key="ohana")
        n = list(self.seed.quotes.all()).index(quote)
        now = timezone.localtime()
        response = self.save_article(
            self.seed,
            **{
                f"quotes-{n}-text": "As members of the Salesforce Ohana, we object.",
                "corrections-TOTAL_FORMS": 1,
                "corrections-0-kind": "correction",
                "corrections-0-text": "The first quote was shortened wrongly; it is now fixed.",
                "corrections-0-published_at_0": now.strftime("%Y-%m-%d"),
                "corrections-0-published_at_1": now.strftime("%H:%M:%S"),
            },
        )
        self.assertNotContains(response, "You changed the words of a published quote")
        quote.refresh_from_db()
        self.assertIsNotNone(quote.text_changed_at)

    def test_changing_an_unpublished_quote_is_not_flagged(self) -> None:
        """Before publication, words change freely."""
        draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
        QuoteFactory(article=draft, key="q", text="First draft of the words.")
        response = self.save_article(draft, **{"quotes-0-text": "Better words."})
        self.assertNotContains(response, "You changed the words of a published quote")
        self.assertIsNone(Quote.objects.get(article=draft).text_changed_at)


class DisclosurePreviewTests(AdminTestCase):
    def change_form(self, article: Article) -> str:
        url = reverse("admin:articles_article_change", args=[article.pk])
        return self.client.get(url).content.decode()

    def test_draft_shows_what_it_will_carry_before_publishing(self) -> None:
        """A draft about Salesforce by an author with an interest lists the register's
        partnership, the author's interest and its own disclosure."""
        author = AuthorFactory()
        author.interests.create(
            organisation=self.salesforce,
            kind="holding",
            statement="The author owns Salesforce shares",
            started_on=datetime.date(2019, 1, 1),
        )
        draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None, authors=[author])
        draft.tags.add(self.salesforce.tag)
        DisclosureFactory(
            organisation=self.salesforce,
            article=draft,
            statement="The author attended Dreamforce as a guest",
        )
        html = self.change_form(draft)
        self.assertIn("If published today", html)
        for statement in [
            "At time of writing Salesforce is a premier partner of diginomica",
            "At time of writing The author owns Salesforce shares",
            "At time of writing The author attended Dreamforce as a guest",
        ]:
            self.assertIn(statement, html)

    def test_published_article_shows_its_record_and_register_changes(self) -> None:
        """The seeded story shows the disclosure recorded for 25 June 2018; when the register
        changes later, the editor is told, and the article keeps its record."""
        html = self.change_form(self.seed)
        self.assertIn("Recorded for its publication on 25 June 2018", html)
        self.assertNotIn("The register has changed", html)
        entry = Disclosure.objects.get(organisation=self.salesforce, article=None)
        entry.statement = "Salesforce is a partner of diginomica"
        entry.save()
        html = self.change_form(self.seed)
        self.assertIn("The register has changed since publication", html)
        self.assertIn("Now also valid on its publication day: Salesforce is a partner", html)
        self.assertIn("Salesforce is a premier partner of diginomica", html)

    def test_add_form_explains_when_the_preview_appears(self) -> None:
        response = self.client.get(reverse("admin:articles_article_add"))
        self.assertContains(response, "to see which disclosures it will carry")


class RegisterAdminTests(AdminTestCase):
    def test_register_entry_added_in_admin_reaches_scheduled_articles(self) -> None:
        """A scheduled article goes out with the register as it stands when it goes live."""
        scheduled = ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1))
        scheduled.tags.add(self.salesforce.tag)
        self.save_article(scheduled)
        self.assertEqual(scheduled.recorded_disclosures.count(), 1)
        today = timezone.localdate().isoformat()
        response = self.client.post(
            reverse("admin:disclosures_disclosure_add"),
            {
                "organisation": self.salesforce.pk,
                "kind": "sponsor",
                "statement": "Salesforce sponsors our events",
                "valid_from": today,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            [r.statement for r in scheduled.recorded_disclosures.all()],
            ["Salesforce is a premier partner of diginomica", "Salesforce sponsors our events"],
        )
        self.assertEqual(self.seed.recorded_disclosures.count(), 1)  # live: unchanged

    def test_bad_register_dates_are_a_form_error(self) -> None:
        """Ending before starting is refused with a message, not a server error."""
        response = self.client.post(
            reverse("admin:disclosures_disclosure_add"),
            {
                "organisation": self.salesforce.pk,
                "kind": "partner",
                "statement": "x",
                "valid_from": "2020-05-01",
                "valid_until": "2020-04-01",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errornote")

    def test_new_admin_pages_render(self) -> None:
        speaker = SpeakerFactory(organisation=self.salesforce)
        author = AuthorFactory()
        for url in [
            reverse("admin:disclosures_organisation_changelist"),
            reverse("admin:disclosures_organisation_change", args=[self.salesforce.pk]),
            reverse("admin:quotes_speaker_changelist"),
            reverse("admin:quotes_speaker_change", args=[speaker.pk]),
            reverse("admin:quotes_speaker_add"),
            reverse("admin:authors_author_change", args=[author.pk]),
            reverse("admin:pages_page_changelist"),
            reverse("admin:pages_page_add"),
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_policy_pages_can_be_edited_but_not_removed(self) -> None:
        """The footer links the policy pages by address: their slug is fixed and they
        cannot be deleted; other pages can."""
        ethics = Page.objects.get(slug="ethics")
        change = self.client.get(reverse("admin:pages_page_change", args=[ethics.pk]))
        self.assertNotContains(change, 'name="slug"')
        delete = self.client.get(reverse("admin:pages_page_delete", args=[ethics.pk]))
        self.assertEqual(delete.status_code, 403)
        other = Page.objects.create(slug="jobs", title="Jobs", body="None open.")
        delete = self.client.get(reverse("admin:pages_page_delete", args=[other.pk]))
        self.assertEqual(delete.status_code, 200)


class RoleTests(TestCase):
    def test_roles_cover_speakers_organisations_and_registers(self) -> None:
        """Writers can pick and add speakers, see organisations and list sources; only
        editors keep the registers, the organisations and the policy pages."""
        users = {}
        for role in ["writer", "editor"]:
            users[role] = get_user_model().objects.create_user(role)
            call_command("grant_role", role, role, verbosity=0)
        writer = get_user_model().objects.get(pk=users["writer"].pk)
        editor = get_user_model().objects.get(pk=users["editor"].pk)
        for perm in [
            "quotes.add_speaker",
            "quotes.view_speaker",
            "disclosures.view_organisation",
            "articles.add_citation",
        ]:
            self.assertIs(writer.has_perm(perm), True, perm)
        for perm in [
            "disclosures.change_organisation",
            "disclosures.add_disclosure",
            "disclosures.change_authorinterest",
            "pages.change_page",
        ]:
            self.assertIs(writer.has_perm(perm), False, perm)
            self.assertIs(editor.has_perm(perm), True, perm)
