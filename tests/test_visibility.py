"""One visibility rule: readers see an article only when it is published and its time has come."""

import datetime

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.http import HttpResponse
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from articles.services import SHARE_SALT
from quotes.models import Quote
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    DisclosureFactory,
    OrganisationFactory,
    QuoteFactory,
    SpeakerFactory,
)


def unpublished_articles() -> list[Article]:
    """One article in each state readers must not see: draft, in review, archived, scheduled."""
    future = timezone.now() + datetime.timedelta(days=1)
    return [
        ArticleFactory(headline="Draft story", status=Article.Status.DRAFT, published_at=None),
        ArticleFactory(headline="Review story", status=Article.Status.REVIEW),
        ArticleFactory(headline="Archived story", status=Article.Status.ARCHIVED),
        ArticleFactory(headline="Scheduled story", published_at=future),
    ]


class VisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.author = AuthorFactory(slug="visible-writer")
        cls.live = ArticleFactory(headline="Live story", authors=[cls.author])
        cls.live.tags.add("Secret topic", "Shared topic")
        cls.hidden = unpublished_articles()
        for article in cls.hidden:
            article.bylines.create(author=cls.author, position=1)
            article.tags.add("Shared topic", "Only unpublished")

    def test_unpublished_articles_are_404(self) -> None:
        """Drafts, items in review, archived and scheduled articles do not exist for readers."""
        for article in self.hidden:
            with self.subTest(status=article.status, headline=article.headline):
                response = self.client.get(article.get_absolute_url())
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, article.headline, status_code=404)

    def test_unpublished_articles_absent_from_every_list(self) -> None:
        """Home, author and tag pages list the live story and none of the others."""
        pages = ["/", self.author.get_absolute_url(), "/topics/shared-topic/"]
        for url in pages:
            response = self.client.get(url)
            with self.subTest(url=url):
                self.assertContains(response, "Live story")
                for article in self.hidden:
                    self.assertNotContains(response, article.headline)

    def test_topic_with_only_unpublished_articles_is_404(self) -> None:
        """A topic used only by unpublished stories does not reveal itself."""
        self.assertTrue(Tag.objects.filter(slug="only-unpublished").exists())
        self.assertEqual(self.client.get("/topics/only-unpublished/").status_code, 404)

    def test_scheduled_article_appears_when_its_time_comes(self) -> None:
        """No cron needed: once the time has passed the article is live."""
        scheduled = self.hidden[3]
        Article.objects.filter(pk=scheduled.pk).update(
            published_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        self.assertEqual(self.client.get(scheduled.get_absolute_url()).status_code, 200)
        self.assertContains(self.client.get("/"), "Scheduled story")

    def test_published_queryset_is_the_rule(self) -> None:
        """Article.objects.published() holds exactly the live articles."""
        visible = set(Article.objects.published().values_list("headline", flat=True))
        self.assertIn("Live story", visible)
        self.assertFalse(visible & {a.headline for a in self.hidden})


class NotFoundTests(TestCase):
    def test_unknown_slugs_give_styled_404(self) -> None:
        """Unknown article, author and topic addresses answer with the site's own 404 page."""
        for url in ["/articles/no-such-story/", "/authors/nobody/", "/topics/nothing/", "/nope/"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "Page not found", status_code=404)
                self.assertContains(response, 'class="site-header"', status_code=404)

    def test_bad_page_numbers_give_404(self) -> None:
        """Malformed, zero, negative, huge and empty page numbers are 404, never 500."""
        for page in ["abc", "0", "-1", "1.5", "99999999999999999999", "²", "500"]:
            with self.subTest(page=page):
                self.assertEqual(self.client.get("/", {"page": page}).status_code, 404)
        self.assertEqual(self.client.get("/", {"page": "1"}).status_code, 200)

    def test_pagination_pages_through_the_archive(self) -> None:
        """Page 2 holds what page 1 had no room for, newest first."""
        now = timezone.now()
        for n in range(25):
            ArticleFactory(
                headline=f"Paged story {n:02d}",
                published_at=now - datetime.timedelta(minutes=n + 1),
            )
        first = self.client.get("/")
        second = self.client.get("/", {"page": "2"})
        self.assertContains(first, "Paged story 00")
        self.assertContains(first, 'rel="next"')
        self.assertNotContains(first, "Paged story 24")
        self.assertContains(second, "Paged story 24")
        self.assertContains(second, 'rel="prev"')


class EverySurfaceVisibilityTests(TestCase):
    """Drafts, items in review, scheduled and archived articles appear on no public
    surface: pages, archives, search, feeds, sitemaps, related lists, structured data."""

    @classmethod
    def setUpTestData(cls) -> None:
        now = timezone.now()
        with cls.captureOnCommitCallbacks(execute=True):
            cls.author = AuthorFactory(slug="shared-writer")
            cls.live = ArticleFactory(
                headline="Zeppelin live story", authors=[cls.author], slug="zeppelin-live"
            )
            cls.live.tags.add("Zeppelins")
            cls.hidden = [
                ArticleFactory(
                    headline="Zeppelin draft story",
                    status=Article.Status.DRAFT,
                    published_at=now - datetime.timedelta(hours=3),
                ),
                ArticleFactory(headline="Zeppelin review story", status=Article.Status.REVIEW),
                ArticleFactory(headline="Zeppelin archived story", status=Article.Status.ARCHIVED),
                ArticleFactory(
                    headline="Zeppelin scheduled story",
                    published_at=now + datetime.timedelta(hours=2),
                ),
            ]
            for article in cls.hidden:
                article.bylines.create(author=cls.author, position=1)
                article.tags.add("Zeppelins")
        cls.local = timezone.localtime(cls.live.published_at)

    def surfaces(self) -> list[str]:
        day = self.local
        return [
            "/",
            "/archive/",
            f"/archive/{day:%Y}/",
            f"/archive/{day:%Y/%m}/",
            f"/archive/{day:%Y/%m/%d}/",
            self.author.get_absolute_url(),
            "/topics/zeppelins/",
            "/search/?q=zeppelin",
            "/search/?q=story",
            "/feed/",
            "/feed/atom/",
            "/authors/shared-writer/feed/",
            "/authors/shared-writer/feed/atom/",
            "/topics/zeppelins/feed/",
            "/topics/zeppelins/feed/atom/",
            "/sitemap-articles.xml",
            "/news-sitemap.xml",
            # Related list and JSON-LD of the live article share every topic with them.
            self.live.get_absolute_url(),
        ]

    def test_hidden_articles_appear_on_no_surface(self) -> None:
        for url in self.surfaces():
            response = self.client.get(url)
            with self.subTest(url=url):
                self.assertEqual(response.status_code, 200)
                body = response.content.decode()
                for article in self.hidden:
                    self.assertNotIn(article.headline, body)
                    self.assertNotIn(article.slug, body)

    def test_the_live_article_does_appear(self) -> None:
        """The same surfaces list the live story, so the test above can fail."""
        for url in self.surfaces()[:-1]:
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), "zeppelin-live")

    def test_hidden_article_addresses_and_old_slugs_are_404(self) -> None:
        for article in self.hidden:
            old_slug = article.slug
            article.slug = f"{old_slug}-renamed"
            article.save()
            for slug in (old_slug, article.slug):
                with self.subTest(slug=slug):
                    self.assertEqual(self.client.get(f"/articles/{slug}/").status_code, 404)

    def test_topic_used_only_by_hidden_articles_has_no_feed_or_sitemap_entry(self) -> None:
        for article in self.hidden:
            article.tags.add("Airships")
        self.assertEqual(self.client.get("/topics/airships/feed/").status_code, 404)
        self.assertNotContains(self.client.get("/sitemap-topics.xml"), "airships")

    def test_author_with_only_hidden_articles_is_not_in_the_sitemap(self) -> None:
        ghost = AuthorFactory(slug="ghost-writer")
        self.hidden[0].bylines.create(author=ghost, position=2)
        self.assertNotContains(self.client.get("/sitemap-authors.xml"), "ghost-writer")


class QuoteAndDisclosureVisibilityTests(TestCase):
    """Quotes and disclosures of drafts, articles in review, scheduled and archived
    articles appear on no public surface."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.org = OrganisationFactory(name="Acme", slug="acme")
        cls.speaker = SpeakerFactory(name="Acme boss", slug="acme-boss", organisation=cls.org)
        cls.hidden_only = SpeakerFactory(name="Whistleblower", slug="whistleblower")
        live = ArticleFactory(headline="Live story")
        live.tags.add(cls.org.tag)
        QuoteFactory(article=live, speaker=cls.speaker, text="Live words.")
        cls.hidden = unpublished_articles()
        for n, article in enumerate(cls.hidden):
            article.tags.add(cls.org.tag)
            QuoteFactory(article=article, speaker=cls.speaker, text=f"Hidden words {n}.", key="q")
            QuoteFactory(article=article, speaker=cls.hidden_only, text=f"Leaked words {n}.")
            DisclosureFactory(organisation=cls.org, article=article, statement=f"Hidden note {n}")

    def assert_nothing_hidden(self, response: HttpResponse) -> None:
        for n, article in enumerate(self.hidden):
            with self.subTest(url=response.wsgi_request.path, headline=article.headline):
                self.assertNotContains(response, article.headline)
                self.assertNotContains(response, f"Hidden words {n}.")
                self.assertNotContains(response, f"Hidden note {n}")

    def test_speaker_page_shows_only_published_quotes(self) -> None:
        response = self.client.get("/speakers/acme-boss/")
        self.assertContains(response, "Live words.")
        self.assert_nothing_hidden(response)

    def test_speaker_quoted_only_in_unpublished_articles_is_404(self) -> None:
        """A speaker must not reveal that an unpublished story quotes them."""
        response = self.client.get("/speakers/whistleblower/")
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Leaked words", status_code=404)

    def test_permalinks_of_unpublished_quotes_are_404(self) -> None:
        for article in self.hidden:
            with self.subTest(headline=article.headline):
                response = self.client.get(f"/articles/{article.slug}/quotes/q/")
                self.assertEqual(response.status_code, 404)

    def test_organisation_and_disclosures_pages_show_only_published(self) -> None:
        """Coverage and quotes on the organisation page, and the disclosures page, leave
        out every unpublished article and its own disclosures."""
        organisation_page = self.client.get("/organisations/acme/")
        self.assertContains(organisation_page, "Live story")
        self.assertContains(organisation_page, "Live words.")
        self.assert_nothing_hidden(organisation_page)
        self.assert_nothing_hidden(self.client.get("/disclosures/"))

    def test_published_quotes_queryset_is_the_rule(self) -> None:
        """Quote.objects.published() (what search and every quote list use) holds only
        quotes of live articles."""
        texts = set(Quote.objects.published().values_list("text", flat=True))
        self.assertIn("Live words.", texts)
        self.assertFalse({text for text in texts if "Hidden" in text or "Leaked" in text})


@override_settings(PAGE_CACHE_SECONDS=600)
class PageCacheLeakTests(TestCase):
    """The shared page cache (newsroom.page_cache) never shows readers what only editors
    may see: an editor's views and previews are never stored, and a page cached while an
    article was live is never served once it is a draft, in review, archived or
    scheduled again."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = get_user_model().objects.create_superuser("edith", password="unused")
        org = OrganisationFactory(name="Quokka Corp", slug="quokka-corp")
        speaker = SpeakerFactory(name="Quokka boss", slug="quokka-boss", organisation=org)
        author = AuthorFactory(name="Quokka writer", slug="quokka-writer")
        cls.article = ArticleFactory(
            headline="Quokka scoop", slug="quokka-scoop", authors=[author], body="[[quote:q]]"
        )
        cls.article.tags.add(org.tag)
        QuoteFactory(article=cls.article, key="q", speaker=speaker, text="Quokka words.")
        CorrectionFactory(article=cls.article, text="Quokka correction.")
        cls.draft = ArticleFactory(headline="Quokka draft", status=Article.Status.DRAFT)
        day = timezone.localtime(cls.article.published_at)
        # Every cacheable surface that shows the article, its quote or its correction.
        cls.surfaces = [
            "/", "/articles/quokka-scoop/", "/articles/quokka-scoop/quotes/q/", "/archive/",
            f"/archive/{day:%Y/%m/%d}/", "/topics/quokka-corp/", "/topics/quokka-corp/feed/",
            "/authors/quokka-writer/", "/authors/quokka-writer/feed/", "/speakers/quokka-boss/",
            "/organisations/quokka-corp/", "/search/?q=quokka", "/feed/", "/feed/atom/",
            "/sitemap-articles.xml", "/news-sitemap.xml", "/corrections/", "/corrections/feed/",
        ]  # fmt: skip

    def setUp(self) -> None:
        cache.clear()

    def test_an_editors_views_and_previews_are_never_stored(self) -> None:
        """After an editor has seen every public page, the admin's preview of a draft
        and its share link, a reader's first visit to each is a miss (nothing was
        stored for it), and the share link is never stored at all."""
        share = f"/preview/{signing.dumps(self.draft.pk, salt=SHARE_SALT)}/"
        preview = reverse("admin:articles_article_preview", args=[self.draft.pk])
        self.client.force_login(self.editor)
        self.assertContains(self.client.get(preview), "Quokka draft")
        for url in [*self.surfaces, preview, share]:
            response = self.client.get(url)
            with self.subTest(editor=url):
                self.assertNotIn("X-Page-Cache", response)
                self.assertIn("no-store", response["Cache-Control"])
        self.client.logout()
        for url in self.surfaces:
            with self.subTest(reader=url):
                self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
        for _ in range(2):
            response = self.client.get(share)
            self.assertNotIn("X-Page-Cache", response)
            self.assertNotContains(self.client.get("/"), "Quokka draft")

    def test_a_page_cached_while_live_is_never_served_once_hidden(self) -> None:
        """Publish, cache every surface, then draft / review / archive / reschedule: the
        next reader sees none of the article, its quote or its correction."""
        later = timezone.now() + datetime.timedelta(days=1)
        live = {
            "status": Article.Status.PUBLISHED,
            "published_at": self.article.published_at,
            "updated_at": self.article.updated_at,
        }
        own = self.surfaces[1:3]  # the article and quote addresses: 404 once hidden
        for hidden in [
            {"status": Article.Status.DRAFT},
            {"status": Article.Status.REVIEW},
            {"status": Article.Status.ARCHIVED},
            {"status": Article.Status.PUBLISHED, "published_at": later, "updated_at": None},
        ]:
            self.change(live)
            for url in self.surfaces:
                self.client.get(url)
                response = self.client.get(url)
                with self.subTest(hidden=hidden, cached=url):
                    self.assertEqual(response["X-Page-Cache"], "hit")
                    self.assertIn(b"quokka", response.content.lower())
            self.change(hidden)
            for url in self.surfaces:
                response = self.client.get(url)
                with self.subTest(hidden=hidden, url=url):
                    self.assertNotIn(b"Quokka scoop", response.content)
                    self.assertNotIn(b"Quokka words", response.content)
                    self.assertNotIn(b"Quokka correction", response.content)
                    if url in own:
                        self.assertEqual(response.status_code, 404)
                    else:
                        self.assertNotIn(b"quokka-scoop", response.content)

    def change(self, fields: dict[str, object]) -> None:
        """Save the article as the admin does; its on-commit invalidation runs."""
        article = Article.objects.get(pk=self.article.pk)
        for name, value in fields.items():
            setattr(article, name, value)
        with self.captureOnCommitCallbacks(execute=True):
            article.save()
