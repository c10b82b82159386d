"""The stored parts of articles' pages (reader.fragments): served in the page's one
query, rendered again exactly when something they show changes, and never served
outdated: not after a change, a deploy of other templates, or a go-live."""

import datetime
import re
import threading
from collections.abc import Callable
from typing import Any
from unittest import mock, skipUnless
from urllib.parse import quote

from django.db import connection, connections
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.signals import template_rendered
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Byline
from authors.models import Author
from pictures.models import Image
from quotes.models import Speaker
from reader import fragments
from reader.models import StoredArticle
from tests.base import page_text, run_command, wait_for_lock_waiters
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CitationFactory,
    CorrectionFactory,
    DisclosureFactory,
    ImageFactory,
    QuoteFactory,
    SpeakerFactory,
)
from tests.test_query_counts import ARTICLE_PAGE_QUERIES, AUTHOR_PAGE_QUERIES


class StoredPartsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            cls.author = AuthorFactory(name="Ada Writer")
            cls.speaker = SpeakerFactory(name="Sam Speaker")
            cls.article = ArticleFactory(
                headline="The story",
                lead_image=ImageFactory(alt_text="A harbour at dawn"),
                body="Intro.\n\n[[quote:said]]\n\nOutro.",
                authors=[cls.author],
            )
            QuoteFactory(article=cls.article, key="said", speaker=cls.speaker, is_pull_quote=False)
            cls.article.tags.add("Harbours")
            # Another story on another topic, by another author: no change below is
            # shown on its pages, so none renders its parts again.
            cls.other = ArticleFactory(headline="Elsewhere", lead_image=ImageFactory())
            cls.other.tags.add("Weather")
        cls.url = cls.article.get_absolute_url()

    def stored(self, article: Article) -> tuple[str, datetime.datetime]:
        row = StoredArticle.objects.get(article=article)
        return row.fingerprint, row.rendered_at

    def test_the_page_is_its_stored_parts_and_kept_related_stories_in_one_query(self) -> None:
        self.client.get(self.url)
        with self.assertNumQueries(ARTICLE_PAGE_QUERIES):
            response = self.client.get(self.url)
        self.assertContains(response, "<h1>The story</h1>", html=True)
        self.assertContains(response, "Sam Speaker")
        self.assertContains(response, 'alt="A harbour at dawn"')

    def test_every_change_a_page_shows_is_shown_at_once_and_nothing_else_renders(self) -> None:
        def rename(model: type, pk: int, field: str, value: str) -> Callable[[], None]:
            def change() -> None:
                row = model.objects.get(pk=pk)
                setattr(row, field, value)
                row.save()

            return change

        article = self.article
        changes: list[tuple[str, Callable[[], None], str]] = [
            (
                "headline",
                rename(Article, article.pk, "headline", "A new headline"),
                "A new headline",
            ),
            (
                "author renamed",
                rename(Author, self.author.pk, "name", "Ada Renamed"),
                "Ada Renamed",
            ),
            (
                "lead image's alt text",
                rename(Image, article.lead_image_id, "alt_text", "A harbour at dusk"),
                "A harbour at dusk",
            ),
            ("topic renamed", rename(Tag, article.tags.get().pk, "name", "Ports"), "Ports"),
            ("speaker renamed", rename(Speaker, self.speaker.pk, "name", "Sam Said"), "Sam Said"),
            (
                "correction",
                lambda: CorrectionFactory(article=article, text="We misdated the storm."),
                "We misdated the storm.",
            ),
            (
                "source cited",
                lambda: CitationFactory(article=article, title="The port's annual report"),
                "The port's annual report",
            ),
            (
                "own disclosure",
                lambda: DisclosureFactory(article=article, statement="the author owns a boat"),
                "the author owns a boat",
            ),
            (
                "a second author",
                lambda: Byline.objects.create(
                    article=article, author=AuthorFactory(name="Bo Second"), position=1
                ),
                "Bo Second",
            ),
        ]
        self.client.get(self.url)
        self.client.get(self.other.get_absolute_url())
        other_before = self.stored(self.other)
        for label, change, shown in changes:
            with self.subTest(label):
                with self.captureOnCommitCallbacks(execute=True):
                    change()
                page = self.client.get(self.url)
                if label == "lead image's alt text":
                    self.assertContains(page, f'alt="{shown}"')
                else:
                    self.assertIn(shown, page_text(page))
                self.assertEqual(self.stored(self.other), other_before)

    def test_a_card_shows_its_authors_change_on_every_listing(self) -> None:
        topic = self.article.tags.get().slug
        self.assertContains(self.client.get(f"/topics/{topic}/"), "Ada Writer")
        with self.captureOnCommitCallbacks(execute=True):
            self.author.name = "Ada Renamed"
            self.author.save()
        for url in (f"/topics/{topic}/", "/", self.other.get_absolute_url()):
            with self.subTest(url):
                self.assertNotContains(self.client.get(url), "Ada Writer")
        self.assertContains(self.client.get(f"/topics/{topic}/"), "Ada Renamed")

    def test_a_row_rendered_before_the_article_went_live_is_rendered_again(self) -> None:
        """A scheduled article goes live without a save: what it shows is taken then."""
        soon = timezone.now() + datetime.timedelta(hours=1)
        with self.captureOnCommitCallbacks(execute=True):
            scheduled = ArticleFactory(published_at=soon, authors=[AuthorFactory(name="Old Name")])
        self.assertEqual(self.client.get(scheduled.get_absolute_url()).status_code, 404)
        fragments.store([scheduled.pk])
        # Changed without a signal (as a bulk write would): only the go-live rule helps.
        Author.objects.filter(name="Old Name").update(name="New Name")
        later = soon + datetime.timedelta(minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            page = self.client.get(scheduled.get_absolute_url())
        self.assertIn("New Name", page_text(page))

    def test_parts_rendered_with_other_templates_or_settings_are_rendered_again(self) -> None:
        self.client.get(self.url)
        StoredArticle.objects.update(main="<p>Rendered by an older release</p>")
        self.assertContains(self.client.get(self.url), "Rendered by an older release")
        with override_settings(SITE_NAME="Another Name"):
            fragments.fingerprint.cache_clear()
            try:
                page = self.client.get(self.url)
            finally:
                fragments.fingerprint.cache_clear()
        self.assertNotContains(page, "Rendered by an older release")
        self.assertContains(page, "The story - Another Name")

    def test_every_template_a_stored_part_is_rendered_with_outdates_it_when_changed(self) -> None:
        """The fingerprint reads the templates stored parts are rendered with, those
        they include (a corrected pull quote's note, a lead picture, a byline photo)
        found by reading them: none a part renders is left out."""
        article = ArticleFactory(
            lead_image=ImageFactory(), authors=[AuthorFactory(with_photo=True)]
        )
        QuoteFactory(article=article, is_pull_quote=True, text_changed_at=timezone.now())
        rendered: set[str] = set()

        def note(sender: object, template: object, **kwargs: object) -> None:
            rendered.add(template.name)  # type: ignore[attr-defined]

        template_rendered.connect(note)
        try:
            parts = fragments.render_parts(Article.objects.for_page().get(pk=article.pk))
        finally:
            template_rendered.disconnect(note)
        self.assertIn("includes/quote_changed.html", rendered)
        self.assertIn("Words somebody said.", parts["main"])
        fingerprinted = {
            t.origin.template_name for t in fragments.templates_used(fragments.TEMPLATES)
        }
        self.assertLessEqual(rendered, fingerprinted)

    def test_the_author_page_lists_stored_dated_cards_in_its_pinned_queries(self) -> None:
        """On its author's page a card carries its date, not the byline the page's
        heading says; it is stored like the others, so the page renders no card."""
        url = self.author.get_absolute_url()
        self.client.get(url)
        with self.assertNumQueries(AUTHOR_PAGE_QUERIES):
            html = self.client.get(url).content.decode()
        cards = html[html.index('<div class="cards">') :]
        self.assertIn(f'<time datetime="{self.article.published_at:%Y-%m-%d}', cards)
        self.assertNotIn("Ada Writer</a>", cards)
        self.assertEqual(
            StoredArticle.objects.get(article=self.article).dated_card.count("<time"), 1
        )

    @override_settings(ALLOWED_HOSTS=["news.example", "mirror.example"], SITE_URL="")
    def test_absolute_addresses_are_the_hosts_the_page_is_served_on(self) -> None:
        for host in ("news.example", "mirror.example"):
            with self.subTest(host):
                page = self.client.get(self.url, HTTP_HOST=host)
                self.assertContains(page, f'<link rel="canonical" href="http://{host}{self.url}">')
                self.assertNotContains(page, fragments.origin_placeholder())

    @override_settings(ALLOWED_HOSTS=["news.example", "mirror.example"], SITE_URL="")
    def test_the_share_links_name_the_host_the_page_is_served_on(self) -> None:
        """Stored with the article, the share links give each network the page's own
        address, plain and percent-encoded in their queries, on every host."""
        for host in ("news.example", "mirror.example"):
            with self.subTest(host):
                page = self.client.get(self.url, HTTP_HOST=host)
                address = f"http://{host}{self.url}"
                self.assertContains(page, f'data-url="{address}"')
                linkedin = "https://www.linkedin.com/sharing/share-offsite/?url="
                self.assertContains(page, f'href="{linkedin}{quote(address, safe="")}"')
                self.assertContains(
                    page, f"mailto:?subject=The%20story&amp;body={quote(address, safe='')}"
                )
                self.assertNotContains(page, quote(fragments.origin_placeholder(), safe=""))

    def test_every_listing_heads_its_cards_at_its_own_level(self) -> None:
        """Under the page's h1, a card is an h2 where it is the listing, an h3 in a
        section (the archive's heading once named the element: "<All stories>")."""
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(headline="Another story").tags.add("Harbours")
        pages = {
            "/": {"h2", "h3"},  # the lead story; the latest and the topics' sections
            "/topics/harbours/": {"h2"},
            "/archive/": {"h2"},
            f"/archive/{self.article.published_at:%Y}/": {"h2"},
            self.author.get_absolute_url(): {"h3"},
            "/search/?q=story": {"h2"},
            self.url: {"h3"},  # related stories
        }
        for url, levels in pages.items():
            with self.subTest(url):
                html = self.client.get(url).content.decode()
                found = set(re.findall(r'<(\w+) class="card__headline">', html))
                self.assertEqual(found, levels)

    def test_later_pages_list_their_articles_in_order_with_their_search_snippets(self) -> None:
        """A later page reads its articles' keys, then the articles: in the listing's
        order, with what the listing annotates (search's highlighted snippets)."""
        now = timezone.now()
        with self.captureOnCommitCallbacks(execute=True):
            for n in range(25):
                article = ArticleFactory(
                    headline=f"Harbour story {n:02d}",
                    standfirst=f"Tides at the harbour, part {n}.",
                    published_at=now - datetime.timedelta(minutes=n + 1),
                )
                article.tags.add("Harbours")
        for url in ("/topics/harbours/?page=2", "/search/?q=harbour&page=2"):
            with self.subTest(url):
                headlines = re.findall(r"Harbour story \d\d", page_text(self.client.get(url)))
                self.assertEqual(headlines, [f"Harbour story {n}" for n in range(20, 25)])
        search = self.client.get("/search/", {"q": "tides", "page": "2"})
        self.assertContains(search, "<mark>Tides</mark>", count=5)


class RenderPagesCommandTests(TestCase):
    def test_renders_what_is_missing_or_outdated_and_nothing_twice(self) -> None:
        ArticleFactory.create_batch(3)
        ArticleFactory(status=Article.Status.DRAFT)
        StoredArticle.objects.all().delete()
        # The three, and the seed story; never the draft.
        out, _ = run_command("render_pages", "--dry-run")
        self.assertEqual(out, "Page parts of 4 articles would be rendered.\n")
        self.assertFalse(StoredArticle.objects.exists())
        out, _ = run_command("render_pages")
        self.assertEqual(out, "Page parts of 4 articles rendered.\n")
        self.assertEqual(run_command("render_pages")[0], "Page parts of 0 articles rendered.\n")
        StoredArticle.objects.filter(pk=StoredArticle.objects.first().pk).update(fingerprint="")
        self.assertEqual(run_command("render_pages")[0], "Page parts of 1 article rendered.\n")
        self.assertEqual(
            run_command("render_pages", "--all")[0], "Page parts of 4 articles rendered.\n"
        )
        url = Article.objects.published().first().get_absolute_url()
        # Its parts were stored; the section menu is read by the test's first page.
        with self.assertNumQueries(ARTICLE_PAGE_QUERIES + 1):
            self.client.get(url)


@skipUnless(connection.vendor == "postgresql", "one render at a time is PostgreSQL's")
class OneRenderAtATimeTests(TransactionTestCase):
    """A story going live on schedule shows in every worker's lists at the same moment:
    readers who find its parts missing at once render them once, the others wait for
    that render and serve its row."""

    serialized_rollback = True

    def test_readers_at_the_same_moment_render_an_article_once(self) -> None:
        article = ArticleFactory(headline="Due at noon")
        other = ArticleFactory(headline="Due at noon too")
        StoredArticle.objects.all().delete()
        rendering, release = threading.Event(), threading.Event()
        rendered: list[int] = []
        failures: list[BaseException] = []
        render_parts = fragments.render_parts

        def slow_render(story: Article, **kwargs: Any) -> dict[str, str]:
            rendered.append(story.pk)
            rendering.set()
            release.wait(timeout=30)
            return render_parts(story, **kwargs)

        def read(pks: list[int], into: dict[int, StoredArticle]) -> None:
            try:
                into.update(fragments.store_outdated(pks))
            except BaseException as error:  # reported by the main thread
                failures.append(error)
            finally:
                connections.close_all()

        first: dict[int, StoredArticle] = {}
        later: dict[int, StoredArticle] = {}
        with mock.patch.object(fragments, "render_parts", slow_render):
            # The second reader asks in the other order: the locks are taken in the
            # keys' order, so neither holds one the other waits on.
            readers = [
                threading.Thread(target=read, args=([article.pk, other.pk], first)),
                threading.Thread(target=read, args=([other.pk, article.pk], later)),
            ]
            readers[0].start()
            self.assertTrue(rendering.wait(timeout=30))
            readers[1].start()
            try:
                wait_for_lock_waiters(
                    1, "the second reader never waited for the first one's render"
                )
            finally:
                release.set()
                for reader in readers:
                    reader.join(timeout=60)
        self.assertEqual(failures, [])
        self.assertEqual(sorted(rendered), sorted([article.pk, other.pk]))
        self.assertEqual(
            {pk: row.rendered_at for pk, row in later.items()},
            {pk: row.rendered_at for pk, row in first.items()},
        )
        self.assertContains(self.client.get(article.get_absolute_url()), "Due at noon")
