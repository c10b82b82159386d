"""Quote, organisation and disclosure pages, and the article page's disclosures, run a
fixed number of SQL queries however many quotes, disclosures and articles there are."""

import datetime

from django.test import TestCase

from articles.services import record_disclosures
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

# article + lead image; lead renditions; bylines + authors; tags; quotes + speakers;
# corrections; disclosures recorded at publication; the article's own disclosures;
# sources cited; related articles + lead images; their renditions; their bylines
# (test_query_counts has the same page with images placed in the body and byline photos,
# whose renditions are one more query)
ARTICLE_PAGE_QUERIES = 12
# ... and, for a live article no publishing path has recorded (an import, a script):
# the register's entries; the authors' interests
UNRECORDED_ARTICLE_PAGE_QUERIES = ARTICLE_PAGE_QUERIES + 2
# speaker + organisation + author; quotes + speakers + articles
SPEAKER_PAGE_QUERIES = 2
# quote + speaker + article
QUOTE_PAGE_QUERIES = 1
# organisation; its register entries; articles + lead images; renditions; bylines;
# quotes + speakers + articles
ORGANISATION_PAGE_QUERIES = 6
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

    def assert_fixed(self, url: str, queries: int) -> None:
        for stage in ("small", "grown"):
            if stage == "grown":
                self.grow()
            with self.subTest(url=url, stage=stage), self.assertNumQueries(queries):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_article_page_with_disclosures_and_sources_is_fixed(self) -> None:
        """Recorded and own disclosures and sources cited cost the same, however many."""
        record_disclosures(article=self.article)
        self.assert_fixed(self.article.get_absolute_url(), ARTICLE_PAGE_QUERIES)
        response = self.client.get(self.article.get_absolute_url())
        # Recorded: the first disclosure and the author's interest; then 4 of its own.
        self.assertContains(response, 'class="disclosure"', count=6)
        self.assertContains(response, 'href="https://example.com/report">Cited report', count=4)

    def test_unrecorded_article_page_is_fixed(self) -> None:
        """Working the disclosures out from the register costs two queries, however many."""
        self.assert_fixed(self.article.get_absolute_url(), UNRECORDED_ARTICLE_PAGE_QUERIES)

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
