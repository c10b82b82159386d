"""Public pages run a fixed number of SQL queries, however much an article carries."""

import datetime

from django.test import TestCase

from articles.models import Article
from articles.services import record_disclosures
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    AuthorInterestFactory,
    CitationFactory,
    CorrectionFactory,
    DisclosureFactory,
    ImageFactory,
    OrganisationFactory,
    QuoteFactory,
    SpeakerFactory,
)

# article + lead image; bylines + authors; tags; quotes + speakers; corrections;
# recorded disclosures; the article's own disclosures; citations; the authors' links;
# images placed in the body
ARTICLE_PAGE_QUERIES = 10
# ... and, for a live article no publishing path has recorded: register entries;
# the authors' interests
UNRECORDED_ARTICLE_PAGE_QUERIES = 12
# articles + lead images; bylines + authors
HOME_PAGE_QUERIES = 2
# speaker + organisation + author; quotes + speakers + articles
SPEAKER_PAGE_QUERIES = 2
# quote + speaker + article
QUOTE_PAGE_QUERIES = 1
# organisation; its register entries; articles + lead images; bylines + authors;
# quotes + speakers + articles
ORGANISATION_PAGE_QUERIES = 5
# register entries + organisations
DISCLOSURES_PAGE_QUERIES = 1
# author; links; interests + organisations; articles + lead images; bylines + authors
AUTHOR_PAGE_QUERIES = 5
# tag + organisation; articles + lead images; bylines + authors
TOPIC_PAGE_QUERIES = 3
# the page
POLICY_PAGE_QUERIES = 1


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.inline = ImageFactory(key="inline-picture")
        cls.author = AuthorFactory()
        cls.org = OrganisationFactory()
        cls.speaker = SpeakerFactory(organisation=cls.org)
        cls.article = ArticleFactory(
            lead_image=ImageFactory(),
            body="Intro.\n\n[[quote:first]]\n\n[[image:inline-picture]]\n\nOutro.",
            authors=[cls.author],
        )
        QuoteFactory(article=cls.article, key="first", is_pull_quote=False, speaker=cls.speaker)
        cls.article.tags.add("Salesforce", cls.org.tag)
        DisclosureFactory(organisation=cls.org, statement="First disclosure")
        AuthorInterestFactory(author=cls.author, organisation=cls.org)

    def grow(self) -> None:
        """More tags, quotes, speakers, authors, disclosures, interests, citations,
        corrections and articles."""
        self.article.tags.add("Cloud", "Data", "Ethics")
        for n in range(4):
            QuoteFactory(article=self.article, key=f"extra-{n}", speaker=self.speaker)
            QuoteFactory(
                article=self.article,
                key=f"other-{n}",
                speaker=SpeakerFactory(organisation=self.org),
            )
            DisclosureFactory(
                organisation=self.org,
                statement=f"Disclosure {n}",
                valid_until=datetime.date(2020 + n, 12, 31),
            )
            DisclosureFactory(organisation=self.org, article=self.article)
            AuthorInterestFactory(author=self.author, organisation=self.org)
            CitationFactory(article=self.article)
            CorrectionFactory(article=self.article)
        for position in range(1, 4):
            self.article.bylines.create(author=AuthorFactory(), position=position)
        for article in ArticleFactory.create_batch(5, authors=[self.author]):
            article.tags.add(self.org.tag)
            QuoteFactory(article=article, speaker=self.speaker)

    def assert_fixed(self, url: str, queries: int) -> None:
        with self.assertNumQueries(queries):
            self.assertEqual(self.client.get(url).status_code, 200)
        self.grow()
        with self.assertNumQueries(queries):
            self.assertEqual(self.client.get(url).status_code, 200)

    def test_article_page_query_count_is_fixed(self) -> None:
        """The article page costs the same queries with 1 or many tags, quotes, authors,
        disclosures, citations and corrections."""
        url = self.article.get_absolute_url()
        record_disclosures(article=self.article)
        with self.assertNumQueries(ARTICLE_PAGE_QUERIES):
            self.assertEqual(self.client.get(url).status_code, 200)
        self.grow()
        with self.assertNumQueries(ARTICLE_PAGE_QUERIES):
            response = self.client.get(url)
        # The page really shows what was added.
        for author in Article.objects.get(pk=self.article.pk).ordered_authors:
            self.assertContains(response, author.name)
        self.assertContains(response, 'href="/topics/ethics/"')
        self.assertContains(response, 'id="quote-first"')
        # Recorded: the seed's Salesforce partnership, the first disclosure, the author's
        # interest; then the 4 the article has of its own.
        self.assertContains(response, 'class="disclosure"', count=7)
        self.assertContains(response, "Cited report")
        self.assertContains(response, '"@type": "CorrectionComment"', count=4)

    def test_unrecorded_article_page_query_count_is_fixed(self) -> None:
        """Working disclosures out from the register costs two queries, however many."""
        self.assert_fixed(self.article.get_absolute_url(), UNRECORDED_ARTICLE_PAGE_QUERIES)

    def test_home_page_query_count_is_fixed(self) -> None:
        """The home page costs the same queries with 2 or 8 articles on it."""
        self.assert_fixed("/", HOME_PAGE_QUERIES)

    def test_speaker_page_query_count_is_fixed(self) -> None:
        """A speaker page costs the same with 1 or 10 quotes from 1 or 6 articles."""
        self.assert_fixed(self.speaker.get_absolute_url(), SPEAKER_PAGE_QUERIES)
        self.assertContains(self.client.get(self.speaker.get_absolute_url()), "<blockquote", 10)

    def test_quote_page_query_count_is_fixed(self) -> None:
        self.assert_fixed(f"/articles/{self.article.slug}/quotes/first/", QUOTE_PAGE_QUERIES)

    def test_organisation_page_query_count_is_fixed(self) -> None:
        """An organisation page costs the same with more relationships, coverage and quotes."""
        self.assert_fixed(self.org.get_absolute_url(), ORGANISATION_PAGE_QUERIES)

    def test_disclosures_page_query_count_is_fixed(self) -> None:
        self.assert_fixed("/disclosures/", DISCLOSURES_PAGE_QUERIES)

    def test_author_page_query_count_is_fixed(self) -> None:
        """An author page costs the same with 1 or 5 interests and 1 or 6 stories."""
        self.assert_fixed(self.author.get_absolute_url(), AUTHOR_PAGE_QUERIES)

    def test_topic_page_query_count_is_fixed(self) -> None:
        self.assert_fixed(f"/topics/{self.org.tag.slug}/", TOPIC_PAGE_QUERIES)

    def test_policy_page_query_count_is_fixed(self) -> None:
        self.assert_fixed("/about/ethics/", POLICY_PAGE_QUERIES)

    def test_listing_prefetch_costs_nothing_to_iterate(self) -> None:
        """Iterating prefetched bylines costs no query."""
        with self.assertNumQueries(2):  # articles + lead images; bylines + authors
            items = list(Article.objects.published().for_listing())
        with self.assertNumQueries(0):
            [article.ordered_authors for article in items]
