"""Anonymous full-page caching: a cached page costs no query; any
change readers could see, or a scheduled article's time arriving, retires it; editors
and previews never touch it; conditional GETs get 304."""

import datetime
import re
from collections import Counter
from collections.abc import Callable
from unittest import mock

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, TestCase, override_settings
from django.urls import resolve
from django.utils import timezone

from articles.models import Article
from articles.services import SHARE_SALT, record_disclosures
from newsroom import page_cache
from newsroom.page_cache import AnonymousPageCacheMiddleware
from pages.models import Page
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    DisclosureFactory,
    ImageFactory,
    OrganisationFactory,
    QuoteFactory,
    SpeakerFactory,
)
from tests.test_query_counts import ARTICLE_PAGE_QUERIES

# The next scheduled change (publication time; embargo end; future correction), looked
# up once per content generation.
NEXT_CHANGE_QUERIES = 3
# The section menu in every page's header, read once per content generation.
MENU_QUERIES = 1
# The newest stories of an article's topics (its related stories) with their stored
# cards, read once per content generation.
RELATED_QUERIES = 1


@override_settings(PAGE_CACHE_SECONDS=600)
class PageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # With a photo, as test_query_counts' article has (its renditions: one query).
        cls.author = AuthorFactory(name="Ada Reporter", with_photo=True)
        cls.org = OrganisationFactory(name="Example Corp")
        cls.speaker = SpeakerFactory(name="Sam Speaker", organisation=cls.org)
        cls.image = ImageFactory(key="inline", caption="First caption")
        cls.article = ArticleFactory(
            headline="Original headline",
            body="Intro.\n\n[[quote:said]]\n\n[[image:inline]]",
            authors=[cls.author],
            lead_image=ImageFactory(),
        )
        cls.quote = QuoteFactory(
            article=cls.article, key="said", text="First words.", speaker=cls.speaker
        )
        cls.article.tags.add(cls.org.tag)
        ArticleFactory(lead_image=ImageFactory()).tags.add(cls.org.tag)  # a related story
        # As publishing does, so the page costs test_query_counts' budget.
        record_disclosures(article=cls.article)
        cls.url = cls.article.get_absolute_url()

    def setUp(self) -> None:
        cache.clear()

    def committed(self, change: Callable[[], object]) -> None:
        """Make a change as production does: its on-commit callbacks run."""
        with self.captureOnCommitCallbacks(execute=True):
            change()

    def test_second_anonymous_hit_runs_no_query(self) -> None:
        """The first reader fills the cache; the next one is served from it, no query."""
        first = self.client.get(self.url)
        self.assertEqual(first["X-Page-Cache"], "miss")
        with self.assertNumQueries(0):
            second = self.client.get(self.url)
        self.assertEqual(second["X-Page-Cache"], "hit")
        self.assertEqual(second.content, first.content)
        self.assertEqual(second["Content-Type"], first["Content-Type"])

    def test_visits_from_tracked_links_share_the_cached_page(self) -> None:
        """A story shared on social media or in a newsletter is reached through links with
        tracking parameters, Facebook's a new fbclid on every click: those visits are
        served the one cached page, without a query."""
        first = self.client.get(self.url)
        for query in (
            "?fbclid=IwAR0first",
            "?fbclid=IwAR1second",
            "?utm_source=newsletter&utm_medium=email&utm_campaign=monday",
            "?gclid=abc&_gl=1*xyz",
        ):
            with self.subTest(query=query), self.assertNumQueries(0):
                response = self.client.get(self.url + query)
                self.assertEqual(response["X-Page-Cache"], "hit")
                self.assertEqual(response.content, first.content)

    def test_parameters_a_page_reads_are_kept_in_its_address(self) -> None:
        """Only tracking parameters are dropped: a search for another word, or a parameter
        this list does not know, is another page."""
        self.client.get("/search/?q=headline")
        tracked = self.client.get("/search/?q=headline&utm_campaign=digest")
        self.assertEqual(tracked["X-Page-Cache"], "hit")
        other = self.client.get("/search/?q=words&utm_campaign=digest")
        self.assertEqual(other["X-Page-Cache"], "miss")
        self.assertNotEqual(other.content, tracked.content)
        self.assertEqual(self.client.get(self.url + "?ref=homepage")["X-Page-Cache"], "miss")

    def test_every_reader_page_is_cached(self) -> None:
        """Home, lists, feeds, sitemaps and trust pages: the second hit is free."""
        local = timezone.localtime(self.article.published_at)
        urls = [
            "/",
            "/search/?q=headline",
            f"/topics/{self.org.tag.slug}/",
            self.author.get_absolute_url(),
            f"/archive/{local:%Y/%m}/",
            "/feed/",
            "/sitemap.xml",
            "/sitemap-articles.xml",
            f"/speakers/{self.speaker.slug}/",
            f"/organisations/{self.org.slug}/",
            "/disclosures/",
            "/about/ethics/",
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
                with self.assertNumQueries(0):
                    self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")

    def test_anonymous_pages_say_how_long_caches_may_keep_them(self) -> None:
        """Browsers a minute, CDNs five, and a CDN may serve a stale copy a minute more
        while it fetches a new one; the cached copy says the same."""
        for response in (self.client.get(self.url), self.client.get(self.url)):
            self.assertEqual(
                set(response["Cache-Control"].split(", ")),
                {"public", "max-age=60", "s-maxage=300", "stale-while-revalidate=60"},
            )

    def test_a_change_of_each_kind_of_content_shows_at_once(self) -> None:
        """Whatever readers see changes (article, quote, topic, author, byline, register,
        correction, organisation, speaker, image), the next reader gets the new page."""
        changes: list[tuple[str, str, Callable[[], object]]] = [
            (self.url, "New headline", lambda: self.retitle("New headline")),
            (self.url, "Second words.", lambda: self.save(self.quote, text="Second words.")),
            (self.url, "Renamed topic", lambda: self.save(self.org.tag, name="Renamed topic")),
            (self.url, "Ada Renamed", lambda: self.save(self.author, name="Ada Renamed")),
            (
                self.url,
                "Bo Coauthor",
                lambda: self.article.bylines.create(
                    author=AuthorFactory(name="Bo Coauthor"), position=1
                ),
            ),
            (
                "/disclosures/",
                "A brand new partnership",
                lambda: DisclosureFactory(
                    organisation=self.org, statement="A brand new partnership"
                ),
            ),
            (
                self.url,
                "We got the date wrong.",
                lambda: CorrectionFactory(article=self.article, text="We got the date wrong."),
            ),
            (
                f"/organisations/{self.org.slug}/",
                "Example Renamed",
                lambda: self.save(self.org, name="Example Renamed"),
            ),
            (self.url, "Sam Renamed", lambda: self.save(self.speaker, name="Sam Renamed")),
            (self.url, "Second caption", lambda: self.save(self.image, caption="Second caption")),
            (
                "/about/ethics/",
                "Rewritten ethics",
                lambda: self.save(Page.objects.get(slug="ethics"), title="Rewritten ethics"),
            ),
            (self.url, "Extra topic", lambda: self.article.tags.add("Extra topic")),
        ]
        for url, new_words, change in changes:
            with self.subTest(new_words):
                self.assertNotContains(self.client.get(url), new_words)
                self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
                self.committed(change)
                response = self.client.get(url)
                self.assertEqual(response["X-Page-Cache"], "miss")
                self.assertContains(response, new_words)

    def retitle(self, headline: str) -> None:
        article = Article.objects.get(pk=self.article.pk)
        article.headline = headline
        article.save()

    @staticmethod
    def save(instance: object, **fields: str) -> None:
        for name, value in fields.items():
            setattr(instance, name, value)
        instance.save()  # type: ignore[attr-defined]

    def test_unpublished_article_leaves_the_cache(self) -> None:
        """Unpublishing takes the page down for the next reader: no draft from cache."""
        self.client.get(self.url)
        self.client.get("/")
        article = Article.objects.get(pk=self.article.pk)
        article.status = Article.Status.DRAFT
        self.committed(article.save)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertNotContains(self.client.get("/"), "Original headline")

    def test_scheduled_article_appears_at_its_time_without_cron(self) -> None:
        """A page cached before a scheduled article's time is not served after it, and
        no cache is told to keep it past that time."""
        now = timezone.now()
        self.committed(
            lambda: ArticleFactory(
                headline="Scheduled story", published_at=now + datetime.timedelta(seconds=30)
            )
        )
        with mock.patch("django.utils.timezone.now", return_value=now):
            before = self.client.get("/")
        self.assertNotContains(before, "Scheduled story")
        self.assertIn("max-age=30", before["Cache-Control"])
        self.assertIn("s-maxage=30", before["Cache-Control"])
        self.assertNotIn("stale-while-revalidate", before["Cache-Control"])
        self.assertEqual(self.client.get("/")["X-Page-Cache"], "hit")
        with mock.patch("django.utils.timezone.now", return_value=now + datetime.timedelta(1)):
            after = self.client.get("/")
        self.assertContains(after, "Scheduled story")

    def test_embargoed_article_appears_when_the_embargo_ends(self) -> None:
        now = timezone.now()
        self.committed(
            lambda: ArticleFactory(
                headline="Embargoed story", embargo_until=now + datetime.timedelta(hours=2)
            )
        )
        self.assertNotContains(self.client.get("/"), "Embargoed story")
        later = now + datetime.timedelta(hours=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertNotContains(self.client.get("/"), "Embargoed story")
        later = now + datetime.timedelta(hours=3)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertContains(self.client.get("/"), "Embargoed story")

    def test_logged_in_users_neither_read_nor_fill_the_cache(self) -> None:
        """An editor sees the database as it is and leaves nothing in the cache."""
        editor = get_user_model().objects.create_user("editor", password="x" * 12)
        self.client.force_login(editor)
        response = self.client.get(self.url)
        self.assertNotIn("X-Page-Cache", response)
        self.assertEqual(set(response["Cache-Control"].split(", ")), {"private", "no-store"})
        self.client.logout()
        self.assertEqual(self.client.get(self.url)["X-Page-Cache"], "miss")
        # A change whose transaction has not committed yet: readers still get the
        # cached page, the editor the real one.
        Article.objects.filter(pk=self.article.pk).update(headline="Uncommitted headline")
        self.assertNotContains(self.client.get(self.url), "Uncommitted headline")
        self.client.force_login(editor)
        self.assertContains(self.client.get(self.url), "Uncommitted headline")

    def test_share_link_preview_is_never_cached(self) -> None:
        draft = ArticleFactory(headline="Draft scoop", status=Article.Status.DRAFT)
        url = f"/preview/{signing.dumps(draft.pk, salt=SHARE_SALT)}/"
        for _ in range(2):
            response = self.client.get(url)
            self.assertContains(response, "Draft scoop")
            self.assertNotIn("X-Page-Cache", response)
            self.assertIn("no-store", response["Cache-Control"])

    def test_post_is_never_served_or_stored(self) -> None:
        self.client.post("/")
        self.assertEqual(self.client.get("/")["X-Page-Cache"], "miss")

    def test_response_setting_a_cookie_is_not_stored(self) -> None:
        """Whatever sets a cookie is somebody's own answer, not the page's."""
        calls = []

        def view(request: HttpRequest) -> HttpResponse:
            request.resolver_match = resolve("/")
            calls.append(request)
            response = HttpResponse("yours")
            response.set_cookie("mine", "1")
            return response

        middleware = AnonymousPageCacheMiddleware(view)
        for _ in range(2):
            self.assertNotIn("X-Page-Cache", middleware(RequestFactory().get("/")))
        self.assertEqual(len(calls), 2)

    def test_if_none_match_and_if_modified_since_get_304(self) -> None:
        """A reader (or CDN) holding the current copy gets 304, from the cache."""
        first = self.client.get(self.url)
        with self.assertNumQueries(0):
            etag = self.client.get(self.url, headers={"if-none-match": first["ETag"]})
            since = self.client.get(self.url, headers={"if-modified-since": first["Last-Modified"]})
        self.assertEqual(etag.status_code, 304)
        self.assertEqual(since.status_code, 304)
        self.committed(lambda: self.retitle("Fresher headline"))
        changed = self.client.get(self.url, headers={"if-none-match": first["ETag"]})
        self.assertEqual(changed.status_code, 200)
        self.assertContains(changed, "Fresher headline")

    def test_article_page_reuses_its_kept_parts(self) -> None:
        """A page-cache miss for an article whose topics' newest stories are kept reads
        the article alone, and gives the same page."""
        first = self.client.get(self.url)
        with self.assertNumQueries(ARTICLE_PAGE_QUERIES):
            response = self.client.get(self.url, {"ref": "newsletter"})
        self.assertEqual(response["X-Page-Cache"], "miss")
        self.assertEqual(response.content, first.content)
        self.assertContains(response, "First words.")
        self.assertContains(response, "First caption")
        self.assertContains(response, '<section class="related"')
        self.assertContains(response, '"headline": "Original headline"')

    def test_article_page_miss_reads_the_generation_once(self) -> None:
        """A page-cache miss asks the cache once for each thing it needs: the generation
        (which keys the page and every kept part alike), the next scheduled change, the
        page, and each kept part (the related stories, the menu); counted on the real
        cache backend."""
        self.client.get(self.url)
        backend = caches["default"]
        with mock.patch.object(backend, "get", wraps=backend.get) as get:
            response = self.client.get(self.url, {"ref": "newsletter"})
        self.assertEqual(response["X-Page-Cache"], "miss")
        # "newsroom:<what>:...": the generation, the next change, a page, the kept parts.
        read = Counter(call.args[0].split(":")[1] for call in get.call_args_list)
        expected = ["generation", "next-change", "page", "related", "menu"]
        self.assertEqual(read, Counter(expected))

    def test_kept_related_stories_follow_new_articles(self) -> None:
        """A new story on the topic moves the generation: the next miss lists it."""
        self.client.get(self.url)
        self.committed(lambda: ArticleFactory(headline="Fresh related").tags.add(self.org.tag))
        self.assertContains(self.client.get(self.url, {"utm_source": "x"}), "Fresh related")

    def test_first_page_of_a_generation_looks_up_the_next_scheduled_change(self) -> None:
        """Only the first request after a change pays for the scheduled-change lookup,
        the menu and the topics' newest stories (the related story's card, stored by a
        first reader, is not changed)."""
        self.client.get(self.url)
        self.committed(lambda: self.retitle("Another headline"))
        with self.assertNumQueries(
            ARTICLE_PAGE_QUERIES + NEXT_CHANGE_QUERIES + MENU_QUERIES + RELATED_QUERIES
        ):
            self.client.get(self.url)
        with self.assertNumQueries(ARTICLE_PAGE_QUERIES):
            self.client.get(self.url, {"page": "1"})

    def test_pages_are_served_when_the_cache_is_down(self) -> None:
        """A cache outage makes pages slower, never unavailable."""
        self.addCleanup(page_cache._missed_bump.clear)  # the outage is over after the test
        with mock.patch("newsroom.page_cache.cache.get", side_effect=ConnectionError("down")):
            response = self.client.get(self.url)
        self.assertContains(response, "Original headline")

    def test_related_stories_are_shown_when_the_cache_fails_to_read_many(self) -> None:
        """A backend that reads several keys at once (Redis's MGET) failing: the related
        stories are read from the database instead."""
        self.addCleanup(page_cache._missed_bump.clear)
        with mock.patch("newsroom.page_cache.cache.get_many", side_effect=ConnectionError):
            response = self.client.get(self.url, {"ref": "outage"})
        self.assertContains(response, '<section class="related"')

    def test_an_article_on_several_topics_reads_their_kept_stories_at_once(self) -> None:
        """One cache round trip for all the article's topics, and once a generation one
        query for those not kept; its related stories are the newest of them all."""
        with self.captureOnCommitCallbacks(execute=True):
            for n, topic in enumerate(["Ports", "Trade", "Ships"]):
                self.article.tags.add(topic)
                published_at = timezone.now() - datetime.timedelta(hours=n + 2)
                ArticleFactory(headline=f"On {topic}", published_at=published_at).tags.add(topic)
        self.client.get(self.url)
        backend = caches["default"]
        with (
            mock.patch.object(backend, "get_many", wraps=backend.get_many) as get_many,
            self.assertNumQueries(ARTICLE_PAGE_QUERIES),
        ):
            response = self.client.get(self.url, {"ref": "again"})
        reads = [list(call.args[0]) for call in get_many.call_args_list]
        related = [keys for keys in reads if keys[0].startswith("newsroom:related:")]
        self.assertEqual([len(keys) for keys in related], [4])  # its organisation's, and 3
        headlines = re.findall(r'card__headline"><a [^>]+>([^<]+)<', response.content.decode())
        # The organisation's related story (an hour old) first, then the three by age.
        self.assertEqual(headlines[1:], ["On Ports", "On Trade", "On Ships"])


class CacheLifetimeTests(TestCase):
    @override_settings(PAGE_CACHE_SECONDS=None)
    def test_per_process_cache_keeps_pages_briefly(self) -> None:
        """Another worker cannot see a change in this process's memory cache, so its
        pages live seconds, not minutes, unless PAGE_CACHE_SECONDS says otherwise."""
        self.assertEqual(page_cache.cache_seconds(), page_cache.LOCAL_CACHE_SECONDS)


class KeptWithoutPageCacheTests(TestCase):
    """With pages not cached (PAGE_CACHE_SECONDS=0, the test settings), parts kept per
    content generation (page_cache.kept_for_site) that show which articles are live
    follow the clock too: a scheduled article shows when its time comes, no save made."""

    def setUp(self) -> None:
        cache.clear()

    def test_kept_parts_show_a_scheduled_article_when_its_time_comes(self) -> None:
        now = timezone.now()
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(headline="Live story").tags.add("Otters")
            scheduled = ArticleFactory(
                headline="Scheduled story", published_at=now + datetime.timedelta(seconds=30)
            )
            scheduled.tags.add("Zebras")
        option = '<option value="zebras">Zebras</option>'
        with mock.patch("django.utils.timezone.now", return_value=now):
            self.assertNotContains(self.client.get("/search/", {"q": "story"}), option)
        later = now + datetime.timedelta(minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertContains(self.client.get("/search/", {"q": "story"}), option)
