"""Public pages run a fixed number of SQL queries, however much they carry.

Each page is fetched, the data grows (more tags, quotes, authors, corrections,
related and listed articles), and the page is fetched again: the count must not move.
"""

from collections.abc import Callable
from unittest import mock

from django.db import connection
from django.test import TestCase
from django.utils import timezone

from articles.models import Article
from articles.services import record_disclosures
from authors.models import Author
from newsroom import page_cache
from reader.models import StoredArticle
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CorrectionFactory,
    ImageFactory,
    QuoteFactory,
)

# On PostgreSQL a reader's render of parts found missing or outdated first takes the
# articles' render locks and reads the rows another process stored meanwhile
# (reader.fragments.store_outdated), in a transaction of its own: a savepoint and its
# release inside a test's transaction.
ONE_RENDER_AT_A_TIME_QUERIES = 4 if connection.vendor == "postgresql" else 0
# The article with its stored parts (reader.fragments: head, article, topics); the
# related stories are among its topics' newest, kept per content generation.
ARTICLE_PAGE_QUERIES = 1
# With no stored parts (reader.fragments): the article and its parts (1); rendering
# them (article + lead image; lead renditions; bylines + authors; the authors' photo
# renditions; tags; quotes + speakers; corrections; disclosures recorded at
# publication; its own; sources cited: 10) and storing them (a savepoint around one
# statement: 3); the newest stories of its topics (1, kept per content generation),
# whose parts are rendered and stored in as many (13) however many they are; what is
# read once per content generation (the change that outdated the parts moved it): the
# next moment time alone changes what readers see (3: the related stories show which
# articles are live) and the section menu (reader.navigation: 1); on PostgreSQL, before
# each of the two renders, ONE_RENDER_AT_A_TIME_QUERIES
ARTICLE_RENDERING_QUERIES = 32 + 2 * ONE_RENDER_AT_A_TIME_QUERIES
# The byline photos' renditions, skipped when no author of the article has a photo.
BYLINE_PHOTO_QUERIES = 1
# page 1: articles with their stored card parts (the topic blocks are kept per content
# generation)
HOME_PAGE_QUERIES = 1
# the topic blocks, read by a generation's first reader: the latest stories' keys; their
# busiest topics; those topics' newest articles with their stored cards
HOME_TOPIC_BLOCKS_QUERIES = 3
# page 2 and later: the page's articles (an index walk past the earlier pages); those
# articles with their stored card parts
HOME_LATER_PAGE_QUERIES = 2
# articles (the author's profile is kept per content generation)
AUTHOR_PAGE_QUERIES = 1
# the profile, read by a generation's first reader: author + links + interests with
# their organisations + photo renditions
AUTHOR_PROFILE_QUERIES = 4
# articles (the topic is kept per content generation)
TAG_PAGE_QUERIES = 1
# the topic, read by a generation's first reader: tag + its organisation
TOPIC_QUERIES = 1
# a young topic's page (under 4 stories) also offers related topics, kept the same way
NEARBY_TOPICS_QUERIES = 1
# the matches' keys (ranked on PostgreSQL), then the page's cards and snippets, filtered
# or not (the filters' topics and authors, the known words nearest the query's and the
# names like them are read once per content generation, like the menu)
SEARCH_PAGE_QUERIES = 2
# a misspelt search that finds nothing: its keys (none, so no cards), then the page of
# what the nearest known words find
SEARCH_SUGGESTION_QUERIES = 3
# What a content generation's first search reads besides: the filters' topics and
# authors; and for each query's words, the known words nearest them and the topics,
# authors and speakers named like those
SEARCH_OPTIONS_QUERIES = 1
SEARCH_WORDS_QUERIES = 2
# articles with their stored cards: the periods an archive page lists and links to are
# kept per content generation (reader.views.ArchiveMixin)
ARCHIVE_PAGE_QUERIES = 1
# What a content generation's first reader of each archive page reads besides: anything
# at all (EXISTS); the first article (MIN); its years (one EXISTS each, one query)
ARCHIVE_INDEX_NAVIGATION_QUERIES = 3
# anything in the period (EXISTS); its months (or days: one EXISTS each, one query); the
# previous and the next period with articles
ARCHIVE_YEAR_NAVIGATION_QUERIES = 4
ARCHIVE_MONTH_NAVIGATION_QUERIES = 4
# anything that day (EXISTS); previous and next day; previous and next month (Django's
# DayArchiveView offers both)
ARCHIVE_DAY_NAVIGATION_QUERIES = 5
# What a content generation's first page reads once for every page after it: the
# section menu; and, for a part kept that shows which stories are live (timely), the
# next scheduled change (its publication time, an embargo's end, a correction dated ahead)
MENU_QUERIES = 1
NEXT_CHANGE_QUERIES = 3
# articles + lead images; renditions; bylines; tags
SITE_FEED_QUERIES = 4
# the author or the tag, then as the site feed
OWNER_FEED_QUERIES = 5
# per section: its count, and its latest lastmod where it has one
SITEMAP_INDEX_QUERIES = 4
# the page's items (a page past the end is found empty, no count)
SITEMAP_SECTION_QUERIES = 1
# the news sitemap's items
NEWS_SITEMAP_QUERIES = 1


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            cls.author = AuthorFactory(with_photo=True)
            ImageFactory(key="inline-picture")
            cls.article = ArticleFactory(
                lead_image=ImageFactory(),
                body="Intro.\n\n[[quote:first]]\n\n[[image:inline-picture]]\n\nOutro.",
                authors=[cls.author],
            )
            QuoteFactory(article=cls.article, key="first", is_pull_quote=False)
            cls.article.tags.add("Salesforce")
            # As publishing does: the disclosures are recorded once the topics are saved.
            record_disclosures(article=cls.article)
            related = ArticleFactory(lead_image=ImageFactory(), authors=[cls.author])
            related.tags.add("Salesforce")
            record_disclosures(article=related)

    def grow(self) -> None:
        """More of everything a page shows."""
        with self.captureOnCommitCallbacks(execute=True):
            self.article.tags.add("Cloud", "Data", "Ethics")
            for n in range(4):
                QuoteFactory(article=self.article, key=f"extra-{n}")
            for position in range(1, 4):
                self.article.bylines.create(
                    author=AuthorFactory(with_photo=True), position=position
                )
            CorrectionFactory(article=self.article)
            for _ in range(5):
                related = ArticleFactory(lead_image=ImageFactory(), authors=[self.author])
                related.tags.add("Salesforce", "Cloud", "Data", "Ethics")
                related.bylines.create(author=AuthorFactory(), position=1)
                record_disclosures(article=related)

    def assert_all_fixed(self, pages: list[tuple[str, int]]) -> None:
        """Each page keeps its query budget before and after the data grows, once the
        stored parts the changes outdated were rendered again (their own budget:
        test_article_page_with_nothing_stored_renders_it_in_fixed_queries)."""
        for stage in ("small", "grown"):
            if stage == "grown":
                self.grow()
            for url, queries in pages:
                self.client.get(url)
                with self.subTest(url=url, stage=stage), self.assertNumQueries(queries):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def assert_fixed(self, url: str, queries: int, **params: str) -> None:
        """Same number of queries before and after the data grows; the page is a 200.
        As assert_all_fixed, once the outdated stored parts were rendered again."""
        for stage in ("small", "grown"):
            if stage == "grown":
                self.grow()
            self.client.get(url, params)
            with self.subTest(url=url, stage=stage), self.assertNumQueries(queries):
                response = self.client.get(url, params)
            self.assertEqual(response.status_code, 200, url)

    def test_article_page_query_count_is_fixed(self) -> None:
        """The article page costs the same queries with 1 or 4 tags, quotes and authors,
        and 1 or 4 related stories."""
        url = self.article.get_absolute_url()
        self.assert_fixed(url, ARTICLE_PAGE_QUERIES)
        response = self.client.get(url)
        # The page really shows what was added.
        for author in Article.objects.get(pk=self.article.pk).ordered_authors:
            self.assertContains(response, author.name)
            # Each byline photo from its renditions (prefetched, not one query each).
            self.assertContains(response, f'alt="Profile picture of {author.name}"')
        self.assertContains(response, 'class="byline__photo"', count=4)
        self.assertContains(response, 'sizes="48px"', count=8)
        self.assertContains(response, 'href="/topics/ethics/"')
        self.assertContains(response, 'id="quote-first"')
        self.assertContains(response, "An earlier version misspelt a name.")

    def test_article_page_with_nothing_stored_renders_it_in_fixed_queries(self) -> None:
        """The first read after a change that outdated its parts (or after a deploy of
        other templates) renders and stores them: a fixed number of queries too, and
        the renditions of byline photos only when an author of the article has one."""
        url = self.article.get_absolute_url()
        for stage in ("small", "grown"):
            if stage == "grown":
                self.grow()
            StoredArticle.objects.all().delete()
            page_cache.bump_generation()  # as the change that outdated them does
            # The related stories' cards are rendered too, in the same few queries.
            with self.subTest(stage=stage), self.assertNumQueries(ARTICLE_RENDERING_QUERIES):
                self.assertContains(self.client.get(url), 'class="byline__photo"')
        Author.objects.update(photo="")
        StoredArticle.objects.all().delete()
        page_cache.bump_generation()
        with self.assertNumQueries(ARTICLE_RENDERING_QUERIES - 2 * BYLINE_PHOTO_QUERIES):
            self.assertNotContains(self.client.get(url), 'class="byline__photo"')

    @mock.patch("newsroom.views.PER_PAGE", 1)
    def test_home_page_query_count_is_fixed(self) -> None:
        """The home page costs the same queries with 2 or 7 articles and 1 or 4 topics
        (one story per page, so the topic blocks have stories of their own to show)."""
        self.assert_fixed("/", HOME_PAGE_QUERIES)
        self.assertContains(self.client.get("/"), 'class="topic-block"', count=3)

    def test_later_home_pages_query_count_is_fixed(self) -> None:
        """Page 2 has no lead or topic blocks: two queries, whatever it lists."""
        ArticleFactory.create_batch(20)
        self.assert_fixed("/", HOME_LATER_PAGE_QUERIES, page="2")

    def test_author_page_query_count_is_fixed(self) -> None:
        """The author page costs the same with 2 or 7 of their stories and any links."""
        self.author.links.create(label="Website", url="https://example.com/")
        self.assert_fixed(self.author.get_absolute_url(), AUTHOR_PAGE_QUERIES)
        response = self.client.get(self.author.get_absolute_url())
        self.assertContains(response, 'class="author__photo"')
        self.assertContains(response, '<source type="image/webp"')

    def test_tag_page_query_count_is_fixed(self) -> None:
        """The topic page costs the same with 2 or 7 stories on it."""
        self.assert_fixed("/topics/salesforce/", TAG_PAGE_QUERIES)

    def test_search_page_query_count_is_fixed(self) -> None:
        """Search costs the same with 1 or 7 matches, on SQLite and on PostgreSQL."""
        self.assert_fixed("/search/", SEARCH_PAGE_QUERIES, q="headline")

    def test_filtered_search_query_count_is_fixed(self) -> None:
        """Every filter at once costs no more than none, with 1 or 7 matches."""
        filters = {"topic": "salesforce", "author": self.author.slug, "kind": "news"}
        filters |= {"from": "2000-01-01", "to": "2999-12-31", "sort": "date"}
        self.article.tags.add("Salesforce")
        self.assert_fixed("/search/", SEARCH_PAGE_QUERIES, q="headline", **filters)
        response = self.client.get("/search/", {"q": "headline", **filters})
        self.assertContains(response, "7 results for “headline” with these filters.")

    def test_misspelt_search_query_count_is_fixed(self) -> None:
        """A misspelt word corrected to a known one costs a fixed number of queries,
        however many stories the correction finds."""
        self.assert_fixed("/search/", SEARCH_SUGGESTION_QUERIES, q="headlime")
        response = self.client.get("/search/", {"q": "headlime"})
        self.assertContains(response, "Showing 7 results for")

    def test_empty_search_runs_no_query(self) -> None:
        """A blank query shows the form without searching (the menu and the filters'
        topics and authors read once before)."""
        self.client.get("/search/")
        with self.assertNumQueries(0):
            response = self.client.get("/search/", {"q": "   "})
        self.assertContains(response, '<option value="salesforce">Salesforce</option>')

    def archive_pages(self) -> list[tuple[str, int]]:
        """Each archive page showing the article, with what its navigation costs."""
        # Archives use the site's time zone, as readers see dates.
        local = timezone.localtime(self.article.published_at)
        return [
            ("/archive/", ARCHIVE_INDEX_NAVIGATION_QUERIES),
            (f"/archive/{local:%Y}/", ARCHIVE_YEAR_NAVIGATION_QUERIES),
            (f"/archive/{local:%Y/%m}/", ARCHIVE_MONTH_NAVIGATION_QUERIES),
            (f"/archive/{local:%Y/%m/%d}/", ARCHIVE_DAY_NAVIGATION_QUERIES),
        ]

    def test_archive_pages_query_counts_are_fixed(self) -> None:
        """Year, month and day archives cost the same with 2 or 7 articles in them."""
        self.assert_all_fixed([(url, ARCHIVE_PAGE_QUERIES) for url, _ in self.archive_pages()])

    def test_archive_navigation_is_read_once_a_generation_in_fixed_queries(self) -> None:
        """The first reader of each archive page after a change pays for the periods it
        lists and links to, a fixed number of queries too."""
        self.assert_first_of_generation_fixed(
            lambda stage: [
                (url, NEXT_CHANGE_QUERIES + navigation + ARCHIVE_PAGE_QUERIES)
                for url, navigation in self.archive_pages()
            ]
        )

    @mock.patch("newsroom.views.PER_PAGE", 1)
    def test_kept_parts_of_listings_are_read_once_a_generation_in_fixed_queries(self) -> None:
        """The first reader of the home, an author's and a topic's page after a change
        pays for the parts kept per generation, a fixed number of queries too."""

        def pages(stage: str) -> list[tuple[str, int]]:
            # Fewer than 4 stories: related topics, which follow the clock.
            nearby = NEXT_CHANGE_QUERIES + NEARBY_TOPICS_QUERIES if stage == "small" else 0
            return [
                ("/", NEXT_CHANGE_QUERIES + HOME_TOPIC_BLOCKS_QUERIES + HOME_PAGE_QUERIES),
                (self.author.get_absolute_url(), AUTHOR_PROFILE_QUERIES + AUTHOR_PAGE_QUERIES),
                ("/topics/salesforce/", TOPIC_QUERIES + nearby + TAG_PAGE_QUERIES),
            ]

        self.assert_first_of_generation_fixed(pages)
        self.assertContains(self.client.get("/"), 'class="topic-block"', count=3)

    def test_kept_parts_of_search_are_read_once_a_generation_in_fixed_queries(self) -> None:
        """The first search after a change pays for the filters' topics and authors and
        for its words' nearest known words and names, a fixed number of queries too;
        other words are looked up once each."""
        words = NEXT_CHANGE_QUERIES + SEARCH_OPTIONS_QUERIES + SEARCH_WORDS_QUERIES
        self.assert_first_of_generation_fixed(
            lambda stage: [("/search/?q=headline", words + SEARCH_PAGE_QUERIES)]
        )
        self.client.get("/topics/salesforce/")  # its stories' outdated cards rendered again
        with self.assertNumQueries(SEARCH_WORDS_QUERIES + SEARCH_PAGE_QUERIES):
            response = self.client.get("/search/", {"q": "salesforce"})
        self.assertContains(response, 'Topics: <a href="/topics/salesforce/">Salesforce</a>')

    def assert_first_of_generation_fixed(
        self, pages: Callable[[str], list[tuple[str, int]]]
    ) -> None:
        """Each page of pages(stage) costs its queries to the first reader after a change
        (and the menu, which the generation's first page reads for every page after it),
        with the small and the grown data."""
        for stage in ("small", "grown"):
            if stage == "grown":
                self.grow()
            for url, _ in pages(stage):
                self.client.get(url)  # the cards the change outdated, rendered again
            for url, queries in pages(stage):
                page_cache.bump_generation()  # as a change readers see does
                with (
                    self.subTest(url=url, stage=stage),
                    self.assertNumQueries(MENU_QUERIES + queries),
                ):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_feed_query_counts_are_fixed(self) -> None:
        """Site, author and topic feeds cost the same with 2 or 7 articles in them."""
        feeds = [
            ("/feed/", SITE_FEED_QUERIES),
            ("/feed/atom/", SITE_FEED_QUERIES),
            (f"/authors/{self.author.slug}/feed/", OWNER_FEED_QUERIES),
            ("/topics/salesforce/feed/atom/", OWNER_FEED_QUERIES),
        ]
        self.assert_all_fixed(feeds)

    def test_sitemap_query_counts_are_fixed(self) -> None:
        """The index and every section cost the same however many entries they list."""
        maps = [
            ("/sitemap.xml", SITEMAP_INDEX_QUERIES),
            ("/sitemap-articles.xml", SITEMAP_SECTION_QUERIES),
            ("/sitemap-authors.xml", SITEMAP_SECTION_QUERIES),
            ("/sitemap-topics.xml", SITEMAP_SECTION_QUERIES),
            ("/news-sitemap.xml", NEWS_SITEMAP_QUERIES),
        ]
        self.assert_all_fixed(maps)

    def test_robots_txt_runs_no_query(self) -> None:
        """robots.txt names the sitemaps without touching the database."""
        with self.assertNumQueries(0):
            self.client.get("/robots.txt")

    def test_listing_prefetch_costs_nothing_to_iterate(self) -> None:
        """Iterating prefetched bylines and renditions costs no query."""
        with self.assertNumQueries(3):  # articles + lead images; renditions; bylines
            items = list(Article.objects.published().for_listing())
        with self.assertNumQueries(0):
            for article in items:
                self.assertTrue(article.ordered_authors)
                self.assertTrue(article.lead_image.renditions.all())
