"""Quote, organisation and disclosure pages, and the article page's disclosures, run a
fixed number of SQL queries however many quotes, disclosures and articles there are."""

import datetime

from django.test import TestCase

from articles.services import record_disclosures
from newsroom import page_cache
from reader.models import StoredArticle
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    AuthorInterestFactory,
    CitationFactory,
    DisclosureFactory,
    ImageFactory,
    OrganisationFactory,
    QuoteFactory,
    SpeakerFactory,
)
from tests.test_query_counts import ARTICLE_PAGE_QUERIES, ONE_RENDER_AT_A_TIME_QUERIES

# The article page with nothing stored (test_query_counts has the page with its stored
# parts, and the same with byline photos, whose renditions are one more query for the
# article and one for the related stories): the article (1); rendering its parts
# (article + lead image; lead renditions; bylines + authors; tags; quotes + speakers;
# corrections; disclosures recorded at publication; its own; sources cited: 9) and
# storing them (3); the newest stories of its topics (1), rendered and stored in as
# many (12) and, since no publishing path recorded theirs, the disclosures due read
# once for them all (the register's entries; the authors' interests: 2); read once per
# content generation: the next moment time alone changes what readers see (3) and the
# section menu (1); on PostgreSQL, before each of the two renders,
# ONE_RENDER_AT_A_TIME_QUERIES
ARTICLE_RENDERING_QUERIES = 32 + 2 * ONE_RENDER_AT_A_TIME_QUERIES
# ... and, for a live article no publishing path has recorded (an import, a script):
# the register's entries; the authors' interests
UNRECORDED_ARTICLE_RENDERING_QUERIES = ARTICLE_RENDERING_QUERIES + 2
# speaker + organisation + author; quotes + speakers + articles
SPEAKER_PAGE_QUERIES = 2
# quote + speaker + article
QUOTE_PAGE_QUERIES = 1
# organisation; its register entries; articles with their stored card parts; quotes +
# speakers + articles
ORGANISATION_PAGE_QUERIES = 4
# register entries + organisations
DISCLOSURES_PAGE_QUERIES = 1
# the page
POLICY_PAGE_QUERIES = 1


class TrustQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.author = AuthorFactory()
        cls.org = OrganisationFactory()
        cls.speaker = SpeakerFactory(organisation=cls.org)
        cls.article = ArticleFactory(
            body="Intro.\n\n[[quote:first]]", authors=[cls.author], lead_image=ImageFactory()
        )
        QuoteFactory(article=cls.article, key="first", is_pull_quote=False, speaker=cls.speaker)
        cls.article.tags.add(cls.org.tag)
        related = ArticleFactory(authors=[cls.author], lead_image=ImageFactory())
        related.tags.add(cls.org.tag)
        DisclosureFactory(organisation=cls.org, statement="First disclosure")
        AuthorInterestFactory(author=cls.author, organisation=cls.org)

    def grow(self) -> None:
        """More quotes, speakers, disclosures (register and the article's own), interests,
        sources cited, and articles about the organisation quoting the speaker."""
        for n in range(4):
            QuoteFactory(article=self.article, key=f"extra-{n}", speaker=self.speaker)
            other = SpeakerFactory(organisation=self.org)
            QuoteFactory(article=self.article, key=f"other-{n}", speaker=other)
            DisclosureFactory(
                organisation=self.org,
                statement=f"Disclosure {n}",
                valid_until=datetime.date(2020 + n, 12, 31),
            )
            DisclosureFactory(organisation=self.org, article=self.article)
            AuthorInterestFactory(author=self.author, organisation=self.org)
            CitationFactory(article=self.article)
        for _ in range(5):
            article = ArticleFactory(authors=[self.author], lead_image=ImageFactory())
            article.tags.add(self.org.tag)
            QuoteFactory(article=article, speaker=self.speaker)

    def assert_fixed(self, url: str, queries: int, rendering: int | None = None) -> None:
        """The page's queries with its stored parts (rendered by a first read), and, for
        an article page, with none stored: the same before and after the data grows."""
        for stage in ("small", "grown"):
            if stage == "grown":
                self.grow()
            if rendering is not None:
                StoredArticle.objects.all().delete()
                page_cache.bump_generation()  # as the change that outdated them does
                with self.subTest(url=url, stage=stage), self.assertNumQueries(rendering):
                    self.assertEqual(self.client.get(url).status_code, 200)
            self.client.get(url)
            with self.subTest(url=url, stage=stage), self.assertNumQueries(queries):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_article_page_with_disclosures_and_sources_is_fixed(self) -> None:
        """Recorded and own disclosures and sources cited cost the same, however many."""
        record_disclosures(article=self.article)
        url = self.article.get_absolute_url()
        self.assert_fixed(url, ARTICLE_PAGE_QUERIES, ARTICLE_RENDERING_QUERIES)
        response = self.client.get(self.article.get_absolute_url())
        # Recorded: the first disclosure and the author's interest; then 4 of its own.
        self.assertContains(response, 'class="disclosure"', count=6)
        self.assertContains(response, 'href="https://example.com/report">Cited report', count=4)

    def test_unrecorded_article_page_is_fixed(self) -> None:
        """Working the disclosures out from the register costs two queries, however many."""
        url = self.article.get_absolute_url()
        self.assert_fixed(url, ARTICLE_PAGE_QUERIES, UNRECORDED_ARTICLE_RENDERING_QUERIES)

    def test_speaker_page_is_fixed(self) -> None:
        """A speaker page costs the same with 1 or 10 quotes from 1 or 6 articles."""
        self.assert_fixed(self.speaker.get_absolute_url(), SPEAKER_PAGE_QUERIES)
        self.assertContains(self.client.get(self.speaker.get_absolute_url()), "<blockquote", 10)

    def test_quote_page_is_fixed(self) -> None:
        self.assert_fixed(f"/articles/{self.article.slug}/quotes/first/", QUOTE_PAGE_QUERIES)

    def test_organisation_page_is_fixed(self) -> None:
        """The same with more relationships, coverage and quotes of its people."""
        self.assert_fixed(self.org.get_absolute_url(), ORGANISATION_PAGE_QUERIES)

    def test_disclosures_page_is_fixed(self) -> None:
        self.assert_fixed("/disclosures/", DISCLOSURES_PAGE_QUERIES)

    def test_policy_page_is_fixed(self) -> None:
        self.assert_fixed("/about/ethics/", POLICY_PAGE_QUERIES)
