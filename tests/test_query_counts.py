"""Public pages run a fixed number of SQL queries, however much an article carries."""

from django.test import TestCase

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, QuoteFactory

# article + lead image; bylines + authors; tags; quotes; corrections;
# images placed in the body; disclosures
ARTICLE_PAGE_QUERIES = 7
# articles + lead images; bylines + authors
HOME_PAGE_QUERIES = 2


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.inline = ImageFactory(key="inline-picture")
        cls.article = ArticleFactory(
            lead_image=ImageFactory(),
            body="Intro.\n\n[[quote:first]]\n\n[[image:inline-picture]]\n\nOutro.",
        )
        QuoteFactory(article=cls.article, key="first", is_pull_quote=False)
        cls.article.tags.add("Salesforce")

    def grow(self) -> None:
        """More tags, quotes, authors and articles."""
        self.article.tags.add("Cloud", "Data", "Ethics")
        for n in range(4):
            QuoteFactory(article=self.article, key=f"extra-{n}")
        for position in range(1, 4):
            self.article.bylines.create(author=AuthorFactory(), position=position)
        ArticleFactory.create_batch(5)

    def test_article_page_query_count_is_fixed(self) -> None:
        """The article page costs the same queries with 1 or 4 tags, quotes and authors."""
        url = self.article.get_absolute_url()
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

    def test_home_page_query_count_is_fixed(self) -> None:
        """The home page costs the same queries with 2 or 8 articles on it."""
        with self.assertNumQueries(HOME_PAGE_QUERIES):
            self.client.get("/")
        self.grow()
        with self.assertNumQueries(HOME_PAGE_QUERIES):
            self.client.get("/")

    def test_listing_prefetch_costs_nothing_to_iterate(self) -> None:
        """Iterating prefetched bylines costs no query."""
        with self.assertNumQueries(2):  # articles + lead images; bylines + authors
            items = list(Article.objects.published().for_listing())
        with self.assertNumQueries(0):
            [article.ordered_authors for article in items]
