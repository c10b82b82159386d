"""Reader search: ranked full-text search on PostgreSQL, a working fallback on SQLite,
and no query that can break the page."""

import datetime
from unittest import mock, skipUnless

from django.db import connection
from django.test import TestCase
from django.utils import timezone

from articles.models import Article
from articles.search import MAX_QUERY_LENGTH, clean_query
from tests.base import search_results
from tests.factories import ArticleFactory, AuthorFactory, QuoteFactory
from tests.migration_walk import search_vector_storage

ON_POSTGRESQL = connection.vendor == "postgresql"

ODD_QUERIES = [
    "",
    "   ",
    '"unclosed quote',
    "cloud & | ! ( ) : * <-> ~",
    "-cloud",
    "OR AND NOT",
    "'; DROP TABLE articles_article; --",
    "1' OR '1'='1",
    "%_%",
    "\\",
    "nul\x00byte",
    "ζωή 日本語 emoji 🎉 مرحبا",
    "a" * 5000,
    "cloud " * 300,
    "<script>alert(1)</script>",
    "[[quote:x]]",
    "the and of",
]


class SearchTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            cls.author = AuthorFactory(name="Priya Raman")
            cls.headline_hit = ArticleFactory(
                headline="Quantum computing arrives", standfirst="A new chip.", body="Details."
            )
            cls.body_hit = ArticleFactory(
                headline="Chip makers report",
                standfirst="Results are in.",
                body="Several firms mentioned quantum research in passing.",
            )
            cls.by_author = ArticleFactory(headline="Budget day", authors=[cls.author])
            cls.tagged = ArticleFactory(headline="Cloud costs")
            cls.tagged.tags.add("Sustainability")
            cls.quoted = ArticleFactory(headline="Union statement")
            QuoteFactory(article=cls.quoted, text="We will not accept the outsourcing plan.")
            cls.draft = ArticleFactory(
                headline="Quantum draft", status=Article.Status.DRAFT, published_at=None
            )

    def search(self, query: str, **params: str) -> list[str]:
        response = self.client.get("/search/", {"q": query, **params})
        self.assertEqual(response.status_code, 200)
        return [article.headline for article in search_results(response)]

    def test_finds_words_in_headline_and_body(self) -> None:
        self.assertEqual(
            set(self.search("quantum")), {"Quantum computing arrives", "Chip makers report"}
        )

    def test_finds_author_names_topics_and_quotes(self) -> None:
        self.assertEqual(self.search("Raman"), ["Budget day"])
        self.assertEqual(self.search("sustainability"), ["Cloud costs"])
        self.assertEqual(self.search("outsourcing"), ["Union statement"])

    def test_every_word_must_match(self) -> None:
        self.assertEqual(self.search("quantum chip arrives"), ["Quantum computing arrives"])

    def test_unpublished_articles_are_never_found(self) -> None:
        self.assertNotIn("Quantum draft", self.search("draft"))
        self.assertNotIn("Quantum draft", self.search("quantum"))

    def test_odd_queries_give_a_page_not_an_error(self) -> None:
        """Empty, operator-only, SQL-looking, unicode, NUL and very long queries: 200."""
        for query in ODD_QUERIES:
            with self.subTest(query=query[:40]):
                response = self.client.get("/search/", {"q": query})
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "<script>alert(1)</script>")

    def test_query_is_shown_escaped_and_kept_in_the_form(self) -> None:
        response = self.client.get("/search/", {"q": "<b>quantum</b>"})
        self.assertContains(response, "Search results for “&lt;b&gt;quantum&lt;/b&gt;”")
        self.assertContains(response, 'name="q" value="&lt;b&gt;quantum&lt;/b&gt;"')

    def test_no_results_says_so(self) -> None:
        self.assertContains(self.client.get("/search/", {"q": "zebra"}), "No stories match")

    def test_results_are_paginated_and_keep_the_query(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            for n in range(21):
                ArticleFactory(headline=f"Paged quantum story {n}")
        first = self.client.get("/search/", {"q": "paged"})
        self.assertEqual(len(first.context["page"].items), 20)
        self.assertContains(first, 'href="?q=paged&amp;page=2"')
        self.assertEqual(len(self.search("paged", page="2")), 1)
        self.assertEqual(self.client.get("/search/", {"q": "paged", "page": "9"}).status_code, 404)

    def test_search_form_is_labelled_on_every_page(self) -> None:
        response = self.client.get("/")
        self.assertContains(
            response,
            '<form class="search-form" role="search" aria-label="Site search" action="/search/"',
        )
        self.assertContains(response, '<label for="site-search">Search stories</label>')
        self.assertContains(response, '<input id="site-search" type="search" name="q"')

    def test_clean_query_removes_control_characters_and_bounds_length(self) -> None:
        self.assertEqual(clean_query("  nul\x00 byte\t\n here "), "nul byte here")
        self.assertEqual(len(clean_query("a" * 5000)), MAX_QUERY_LENGTH)


@skipUnless(ON_POSTGRESQL, "PostgreSQL full-text search; SQLite's fallback is tested above")
class PostgresFullTextSearchTests(TestCase):
    """Ranking, stemming, snippets and the stored vector kept current on save."""

    @classmethod
    def setUpTestData(cls) -> None:
        with cls.captureOnCommitCallbacks(execute=True):
            cls.in_body = ArticleFactory(
                headline="Markets today", standfirst="Stocks moved.", body="Talk of regulation."
            )
            cls.in_standfirst = ArticleFactory(
                headline="Week ahead", standfirst="New regulation looms.", body="More."
            )
            cls.in_headline = ArticleFactory(
                headline="Regulation arrives", standfirst="Finally.", body="Text."
            )

    def test_headline_outranks_standfirst_outranks_body(self) -> None:
        response = self.client.get("/search/", {"q": "regulation"})
        self.assertEqual(
            [a.headline for a in search_results(response)],
            ["Regulation arrives", "Week ahead", "Markets today"],
        )

    def test_stemming_matches_other_word_forms(self) -> None:
        response = self.client.get("/search/", {"q": "regulations"})
        self.assertEqual(len(response.context["page"].items), 3)

    def test_snippet_highlights_matches_and_escapes_the_rest(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            ArticleFactory(
                headline="Markup", standfirst="", body="Beware <img src=x onerror=alert(1)> zebras."
            )
        response = self.client.get("/search/", {"q": "zebra"})
        self.assertContains(response, "<mark>zebras</mark>")
        self.assertContains(response, "&lt;img src=x onerror=alert(1)&gt;")
        self.assertNotContains(response, "<img src=x")

    def test_vector_follows_edits_to_text_topics_authors_and_quotes(self) -> None:
        """After each committed change the article is found by its new words only."""
        article = Article.objects.get(pk=self.in_body.pk)
        with self.captureOnCommitCallbacks(execute=True):
            article.headline = "Harbour tariffs"
            article.save()
        self.assertEqual(self.found("harbour"), ["Harbour tariffs"])
        with self.captureOnCommitCallbacks(execute=True):
            article.tags.add("Shipping")
        self.assertEqual(self.found("shipping"), ["Harbour tariffs"])
        author = article.ordered_authors[0]
        with self.captureOnCommitCallbacks(execute=True):
            author.name = "Ingrid Zylstra"
            author.save()
        self.assertEqual(self.found("zylstra"), ["Harbour tariffs"])
        with self.captureOnCommitCallbacks(execute=True):
            QuoteFactory(article=article, text="Dockers deserve better.")
        self.assertEqual(self.found("dockers"), ["Harbour tariffs"])

    def test_the_vector_is_kept_in_the_article_row(self) -> None:
        """A search reads the vector of every article it walks: kept in the row
        (storage MAIN), not in the TOAST table, where each read is an index look-up.
        A migration that changes the column's type resets its storage: make it again."""
        self.assertEqual(search_vector_storage(), "m")

    def test_only_the_newest_matches_are_ranked(self) -> None:
        """Past RANKED_MATCHES matches, the newest ones are found, best first: an older
        match, however good, is left out, so ranking never reads the whole archive."""
        now = timezone.now()
        with self.captureOnCommitCallbacks(execute=True):
            for days, headline, standfirst, body in [
                (10, "Tariff talks collapse", "Old news.", "Text."),
                (3, "Ports", "Quiet week.", "A tariff, briefly."),
                (2, "Shipping", "Calm seas.", "Another tariff mention."),
                (1, "Trade", "A tariff looms.", "More."),
            ]:
                ArticleFactory(
                    headline=headline,
                    standfirst=standfirst,
                    body=body,
                    published_at=now - datetime.timedelta(days=days),
                )
        self.assertEqual(
            self.found("tariff"), ["Tariff talks collapse", "Trade", "Shipping", "Ports"]
        )
        with mock.patch("articles.search.RANKED_MATCHES", 3):
            self.assertEqual(self.found("tariff"), ["Trade", "Shipping", "Ports"])
            # Fewer matches than the bound: every one, best first, as without it.
            self.assertEqual(
                self.found("regulation"), ["Regulation arrives", "Week ahead", "Markets today"]
            )

    def found(self, query: str) -> list[str]:
        return [a.headline for a in search_results(self.client.get("/search/", {"q": query}))]

    def test_search_uses_the_gin_index(self) -> None:
        """The GIN index the articles migration makes exists and covers the stored vector."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search_vector_gin'"
            )
            [(definition,)] = cursor.fetchall()
        self.assertIn("USING gin (search_vector)", definition)

    def test_seeded_story_was_indexed_by_the_migration(self) -> None:
        response = self.client.get("/search/", {"q": "Benioff Ohana"})
        self.assertEqual(
            [a.slug for a in search_results(response)],
            ["salesforce-staffers-voice-concern-over-contract-with-us-border-control"],
        )
