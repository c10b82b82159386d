"""Everything a user can type, as one catalogue: very long, empty and
whitespace-only fields, headlines, slugs and topics in many scripts, odd search and
page parameters on every paginated page, malformed dates, forged form fields and ids,
and posts without a CSRF token. Each gets a clear error or an empty page: never a
500, never a privilege gained, nothing changed in the database.

The test client re-raises a view's exception, so a 500 fails the test with its
traceback; `row_counts` snapshots every table, so a half-made change shows.
"""

import datetime
from typing import Any

from django.contrib.admin.sites import site
from django.test import Client, RequestFactory, TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from quotes.models import Quote
from tests.base import row_counts
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    OrganisationFactory,
    QuoteFactory,
    SpeakerFactory,
)
from tests.test_faults import new_article
from tests.test_search import ODD_QUERIES as SEARCH_QUERIES
from tests.test_workflow import WorkflowTestCase, admin_url

LONG = "x" * 5000
BLANKS = ["", " ", "   \t\n ", "\u3000"]  # the last: an ideographic space

# What a reader or an editor might type, in many scripts and with the characters that
# trick renderers: right-to-left marks, zero-width joiners, combining marks, emoji.
SCRIPTS = {
    "arabic": "مرحبا بالعالم",
    "chinese": "你好，世界",
    "japanese": "こんにちは世界",
    "cyrillic": "Привет, мир",
    "greek": "Γειά σου Κόσμε",
    "hebrew rtl": "\u202bשלום עולם\u202c",
    "rtl override": "\u202eevil.exe\u202c",
    "zero width": "zero\u200bwidth\u200djoin\ufeff",
    "combining": "Z\u0351\u0352\u0353a\u0354l\u0355g\u0356o",
    "emoji": "🦘 Kangaroo 👩‍👩‍👧 news 🇬🇧",
}
ODD_PAGES = [
    "-1", "0", "99999999", "abc", "1e9", "\x00", "1.5", "", " 1", "9" * 400, "١",
]  # fmt: skip


class ReaderInputTests(TestCase):
    """Query strings and addresses: a page or a clean 404, never a 500."""

    @classmethod
    def setUpTestData(cls) -> None:
        author = AuthorFactory(slug="ann")
        org = OrganisationFactory(name="Acme", slug="acme")
        speaker = SpeakerFactory(slug="boss", organisation=org)
        for n in range(3):
            article = ArticleFactory(headline=f"Story {n}", authors=[author])
            article.tags.add("Cloud", org.tag)
            QuoteFactory(article=article, speaker=speaker)
            CorrectionFactory(article=article)

    # Every public page that takes ?page= (and ?q= for search).
    PAGINATED = [
        "/", "/archive/", f"/archive/{timezone.localdate():%Y}/", "/topics/cloud/",
        "/authors/ann/", "/search/?q=story", "/corrections/", "/speakers/boss/",
        "/organisations/acme/",
    ]  # fmt: skip

    def test_odd_page_numbers_give_a_page_or_404(self) -> None:
        tried = 0
        for url in self.PAGINATED:
            for page in ODD_PAGES:
                separator = "&" if "?" in url else "?"
                with self.subTest(url=url, page=page[:20]):
                    response = self.client.get(url + separator + f"page={page}")
                    self.assertIn(response.status_code, (200, 404))
                    tried += 1
            with self.subTest(url=url, page="repeated"):
                response = self.client.get(url, {"page": ["1", "2", "abc"]})
                self.assertIn(response.status_code, (200, 404))
        self.assertEqual(tried, len(self.PAGINATED) * len(ODD_PAGES))

    def test_odd_searches_on_odd_pages_give_a_page_or_404(self) -> None:
        """tests/test_search.py's odd queries (operators, SQL, NUL, unicode), and more,
        each on odd page numbers too; the query is never echoed as markup."""
        for query in [*SEARCH_QUERIES, LONG, "<script>alert(1)</script>", *SCRIPTS.values()]:
            for page in ["1", "abc", "-1", "99999999"]:
                response = self.client.get("/search/", {"q": query, "page": page})
                with self.subTest(q=query[:30], page=page):
                    self.assertIn(response.status_code, (200, 404))
                    self.assertNotIn(b"<script>alert(1)</script>", response.content)
        response = self.client.get("/search/", {"q": ["story", "<b>"], "page": ["x", "1"]})
        self.assertEqual(response.status_code, 200)

    def test_malformed_dates_in_archive_addresses_are_404(self) -> None:
        for url in [
            "/archive/2026/02/30/", "/archive/2026/13/", "/archive/2026/00/",
            "/archive/2026/01/00/", "/archive/2026/01/32/", "/archive/0000/",
            "/archive/0000/01/01/", "/archive/99999/01/01/", "/archive/9999/12/31/",
            "/archive/-001/", "/archive/2026/1/", "/archive/abcd/",
        ]:  # fmt: skip
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_unknown_and_odd_addresses_are_404(self) -> None:
        for url in [
            "/articles/%00/", "/articles/" + "a" * 3000 + "/", "/topics/%F0%9F%A6%98/",
            "/topics/\u202e/", "/speakers/..%2F..%2Fetc/", "/articles/x/quotes/%00/",
            "/preview/not-a-token/", "/preview/" + "A" * 3000 + "/",
        ]:  # fmt: skip
            with self.subTest(url=url[:40]):
                self.assertIn(self.client.get(url).status_code, (404, 301))


class EditorInputTests(WorkflowTestCase):
    """The admin's forms, posted by an editor with what a user could type: a clear form
    error, or a save that keeps the text exactly; never a 500, never a half-save."""

    def setUp(self) -> None:
        self.client.force_login(self.editor)
        self.speaker = SpeakerFactory()

    def add_article(self, **overrides: Any) -> Any:
        data = {**new_article("unused", "hostile-input"), "quotes-0-speaker": self.speaker.pk}
        data.pop("csrfmiddlewaretoken")
        return self.client.post(admin_url("add"), {**data, **overrides})

    def assert_refused(self, response: Any, before: dict[str, int], message: str = "") -> None:
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errornote")
        if message:
            self.assertContains(response, message)
        self.assertEqual(row_counts(), before)

    def test_too_long_empty_and_blank_fields_are_refused(self) -> None:
        cases = {
            "headline too long": {"headline": LONG},
            "slug too long": {"slug": "a" * 201},
            "tag too long": {"tags": "t" * 101},
            "dateline too long": {"dateline": LONG},
            "quote key too long": {"quotes-0-key": LONG, "body": f"[[quote:{LONG}]]"},
            "quote source too long": {"quotes-0-source_title": LONG},
            "quote date malformed": {"quotes-0-said_on": "2026-02-30"},
            "embargo_by too long": {"embargo_by": LONG},
            **{f"headline {blank!r}": {"headline": blank} for blank in BLANKS},
            **{f"slug {blank!r}": {"slug": blank} for blank in BLANKS},
            "quote text blank": {"quotes-0-text": "  "},
        }
        before = row_counts()
        for label, fields in cases.items():
            with self.subTest(label):
                self.assert_refused(self.add_article(**fields), before)
        self.assertEqual(len(cases), 17)

    def test_headlines_in_any_script_are_kept_exactly_and_shown(self) -> None:
        for n, (script, headline) in enumerate(SCRIPTS.items()):
            with self.subTest(script):
                slug = f"script-{n}"
                response = self.add_article(headline=headline, slug=slug, tags=f'"{headline}"')
                self.assertEqual(response.status_code, 302, script)
                article = Article.objects.get(slug=slug)
                self.assertEqual(article.headline, headline)
                self.client.post(admin_url("workflow", article.pk, "publish"), {"when": "now"})
                Article.objects.filter(pk=article.pk).update(
                    status=Article.Status.PUBLISHED,
                    published_at=timezone.now() - datetime.timedelta(minutes=1),
                )
                page = Client().get(article.get_absolute_url())
                self.assertEqual(page.status_code, 200)
                topic = article.tags.get()
                self.assertEqual(Client().get(f"/topics/{topic.slug}/").status_code, 200)

    def test_unicode_and_unsafe_slugs_are_refused_and_slugs_stay_unique(self) -> None:
        before = row_counts()
        for slug in [*SCRIPTS.values(), "a b", "../x", "<script>", "x/y", "x?y", "%00"]:
            with self.subTest(slug=slug):
                self.assert_refused(self.add_article(slug=slug), before)
        # Two headlines that slugify the same ("Déjà vu", "Deja vu!"): the second is
        # told the address is taken.
        self.assertEqual(self.add_article(headline="Déjà vu", slug="deja-vu").status_code, 302)
        before = row_counts()
        self.assert_refused(
            self.add_article(headline="Deja vu!", slug="deja-vu", **{"quotes-0-key": "r"}),
            before,
            "Article with this Slug already exists",
        )

    def test_topics_that_slugify_the_same_get_different_addresses(self) -> None:
        # Three symbol-only names: each needs an address of its own ("topic", ...).
        for names in [("日本", "日本!"), ("Cloud", "cloud?"), ("🦘", "🐨", "★")]:
            with self.subTest(names=names):
                slugs = []
                for name in names:
                    article = ArticleFactory()
                    article.tags.add(name)
                    slugs.append(article.tags.get().slug)
                    self.assertEqual(Client().get(f"/topics/{slugs[-1]}/").status_code, 200)
                self.assertEqual(len(set(slugs)), len(names), slugs)

    def test_malformed_dates_in_admin_fields_are_refused(self) -> None:
        before = row_counts()
        for day in ["2026-02-30", "99999-01-01", "0000-01-01", "2026-13-01", "yesterday", "\x00"]:
            with self.subTest(day=day):
                response = self.add_article(embargo_until_0=day, embargo_until_1="10:00")
                self.assert_refused(response, before)
                response = self.client.post(
                    reverse("admin:disclosures_disclosure_add"),
                    {"organisation": OrganisationFactory().pk, "kind": "partner",
                     "statement": "S", "valid_from": day, "valid_until": ""},
                )  # fmt: skip
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "errornote")
                before = row_counts()  # the organisation above
        for query in [
            "published_at__year=0", "published_at__year=99999", "published_at__month=13",
            "published_at__day=32", "published_at__gte=abc", "state=abc", "o=abc",
        ]:  # fmt: skip
            with self.subTest(changelist=query):
                response = self.client.get(admin_url("changelist") + "?" + query)
                self.assertIn(response.status_code, (200, 302))

    def test_forged_ids_in_every_autocomplete_field_are_refused(self) -> None:
        """Every admin and inline with autocomplete fields, found by looking, gets "abc",
        a negative, a huge and an unknown id: a form error, not Django's 500."""
        tried, request = 0, RequestFactory().get("/")
        request.user = self.editor
        for model, model_admin in site._registry.items():
            inlines = [inline(model, site) for inline in model_admin.inlines]
            holders = [(model_admin, "")] + [
                (inline, f"{inline.get_formset(request).get_default_prefix()}-0-")
                for inline in inlines
            ]
            for holder, prefix in holders:
                for field in holder.autocomplete_fields:
                    for forged in ["abc", "-1", "99999999999999999999", "1.5", "\x00"]:
                        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
                        data = {f"{prefix}{field}": forged}
                        if prefix:
                            formset = prefix.removesuffix("-0-")
                            data |= {f"{formset}-TOTAL_FORMS": 1, f"{formset}-INITIAL_FORMS": 0}
                        with self.subTest(model=model.__name__, field=prefix + field, id=forged):
                            response = self.client.post(url, data)
                            self.assertEqual(response.status_code, 200)
                            self.assertContains(response, "errornote")
                            tried += 1
        self.assertGreaterEqual(tried, 5 * 9)


class ForgedFieldTests(WorkflowTestCase):
    """A writer's forged fields gain nothing."""

    def test_a_writer_cannot_publish_backdate_or_claim_by_forged_fields(self) -> None:
        self.client.force_login(self.writer)
        now = timezone.localtime()
        forged = {
            "status": "published", "published_at_0": f"{now:%Y-%m-%d}",
            "published_at_1": f"{now:%H:%M:%S}", "created_by": self.editor.pk,
            "modified_by": self.editor.pk, "version": 99, "search_vector": "x",
        }  # fmt: skip
        data = {**new_article("unused", "forged-by-writer"), **forged}
        data.pop("csrfmiddlewaretoken")
        data["quotes-0-speaker"] = SpeakerFactory().pk
        self.assertEqual(self.client.post(admin_url("add"), data).status_code, 302)
        article = Article.objects.get(slug="forged-by-writer")
        self.assertEqual(
            (article.status, article.published_at, article.created_by),
            (Article.Status.DRAFT, None, self.writer),
        )
        self.assertEqual(Client().get(article.get_absolute_url()).status_code, 404)

    def test_a_writer_cannot_change_or_move_another_writers_article(self) -> None:
        article = self.draft(headline="Wendy's draft")
        self.client.force_login(self.other_writer)
        before = row_counts()
        for url, data in [
            (admin_url("change", article.pk), self.change_form(article, headline="Oscar's")),
            (admin_url("workflow", article.pk, "submit"), {}),
            (admin_url("workflow", article.pk, "publish"), {"when": "now"}),
            (admin_url("share", article.pk), {}),
            (admin_url("delete", article.pk), {"post": "yes"}),
        ]:
            with self.subTest(url=url):
                self.assertIn(self.client.post(url, data).status_code, (302, 403, 404))
        self.assertEqual(row_counts(), before)
        self.assertEqual(Article.objects.get(pk=article.pk).headline, "Wendy's draft")


class CsrfTests(WorkflowTestCase):
    """Posts without the CSRF token, from a logged-in editor's browser: 403, nothing
    changed, on every form and workflow endpoint."""

    def test_posts_without_a_csrf_token_are_refused_and_change_nothing(self) -> None:
        article = self.draft(headline="Untouched")
        quote = QuoteFactory(article=article, key="q")
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(self.editor)
        add = {**new_article("forged-token", "csrf-less"), "quotes-0-speaker": quote.speaker_id}
        endpoints = [
            (admin_url("add"), add),
            (admin_url("change", article.pk), self.change_form(article, headline="Changed")),
            *((admin_url("workflow", article.pk, action), {"when": "now"})
              for action in ("submit", "publish", "schedule", "unpublish", "archive")),
            (admin_url("share", article.pk), {}),
            (admin_url("delete", article.pk), {"post": "yes"}),
            (admin_url("changelist"), {"action": "delete_selected", "_selected_action": article.pk,
                                       "post": "yes"}),
            (reverse("admin:pictures_image_add"), {"key": "k", "alt_text": "a"}),
            (reverse("admin:quotes_quote_delete", args=[quote.pk])
             if site.is_registered(Quote) else admin_url("changelist"), {"post": "yes"}),
            (reverse("admin:quotes_speaker_add"), {"name": "S", "slug": "s", "kind": "person"}),
            (reverse("admin:authors_author_add"), {"name": "A", "slug": "a"}),
            (reverse("admin:password_change"), {"old_password": "x", "new_password1": "y"}),
            (reverse("admin:logout"), {}),
        ]  # fmt: skip
        before = row_counts()
        for url, data in endpoints:
            with self.subTest(url=url):
                response = browser.post(url, data)
                self.assertEqual(response.status_code, 403)
                self.assertContains(response, "CSRF", status_code=403)
        self.assertEqual(row_counts(), before)
        article.refresh_from_db()
        self.assertEqual((article.headline, article.status), ("Untouched", Article.Status.DRAFT))
        # The same browser with the token gets through, so the refusals above were CSRF's.
        page = browser.get(admin_url("change", article.pk)).content.decode()
        token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        data = self.change_form(article, headline="Changed", csrfmiddlewaretoken=token)
        self.assertEqual(browser.post(admin_url("change", article.pk), data).status_code, 302)
