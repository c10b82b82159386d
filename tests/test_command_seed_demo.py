"""seed_demo: realistic, deterministic demo content, written in bulk."""

import unittest
from unittest import mock

from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from articles import content_checks
from articles.models import Article, Image, Quote
from articles.rendering import marker_keys
from authors.models import Author
from newsroom import page_cache
from tests.base import run_command


def demo_articles(seed: int) -> list[tuple[str, str, str, str, list[str], list[str]]]:
    articles = Article.objects.filter(slug__regex=rf"-{seed}-[0-9]+$")
    return [
        (
            article.headline,
            article.standfirst,
            article.body,
            article.status,
            sorted(article.tags.names()),
            [author.name for author in article.ordered_authors],
        )
        for article in articles.order_by("slug")
    ]


class SeedDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output, _ = run_command(
            "seed_demo", "--articles", "60", "--authors", "5", "--seed", "3"
        )

    def test_creates_the_articles_and_authors_asked_for(self) -> None:
        self.assertIn("Created 60 articles by 5 authors (seed 3).", self.output)
        self.assertEqual(Article.objects.filter(slug__regex=r"-3-[0-9]+$").count(), 60)
        self.assertEqual(Author.objects.filter(slug__startswith="demo-").count(), 5)

    def test_content_is_realistic_and_consistent(self) -> None:
        """Headlines, standfirsts, bylines, tags and lead images; every quote marker has its
        quote, so check_content finds nothing wrong."""
        articles = Article.objects.filter(slug__regex=r"-3-[0-9]+$")
        for article in articles:
            self.assertTrue(article.headline and article.standfirst)
            self.assertGreaterEqual(article.bylines.count(), 1)
            self.assertGreaterEqual(article.tags.count(), 2)
            self.assertIsNotNone(article.lead_image)
            self.assertEqual(
                sorted(marker_keys(article.body, "quote")),
                sorted(article.quotes.values_list("key", flat=True)),
            )
        self.assertGreater(Quote.objects.filter(article__in=articles).count(), 60)
        self.assertEqual(list(content_checks.body_problems(on_article=lambda: None)), [])
        self.assertEqual(list(content_checks.published_problems()), [])

    @unittest.skipUnless(connection.vendor == "postgresql", "search vectors are PostgreSQL's")
    def test_demo_articles_are_searchable(self) -> None:
        """Bulk writes skip the signals; seed_demo refreshes the search vectors itself."""
        with self.captureOnCommitCallbacks(execute=True):
            run_command("seed_demo", "--articles", "5", "--seed", "21", "-v", "0")
        demo = Article.objects.filter(slug__regex=r"-21-[0-9]+$")
        self.assertFalse(demo.filter(search_vector__isnull=True).exists())

    def test_cached_pages_are_retired(self) -> None:
        """Bulk writes send no signals: the command retires the cached pages itself."""
        with mock.patch.object(page_cache, "content_changed") as changed:
            run_command("seed_demo", "--articles", "5", "--seed", "22", "-v", "0")
        changed.assert_called_once_with()

    def test_quotes_have_speakers_at_the_demo_companies(self) -> None:
        """A pool of speakers per seed, each quoted in several articles, linked to one of
        the demo companies, which are organisations with their topic."""
        quotes = Quote.objects.filter(article__slug__regex=r"-3-[0-9]+$").select_related(
            "speaker__organisation__tag"
        )
        speakers = {quote.speaker for quote in quotes}
        self.assertLess(len(speakers), quotes.count())
        for speaker in speakers:
            self.assertTrue(speaker.slug.startswith("demo-"))
            self.assertIn(speaker.organisation.name, speaker.description)
            self.assertEqual(speaker.organisation.tag.name, speaker.organisation.name)

    def test_a_few_pictures_are_shared(self) -> None:
        self.assertEqual(Image.objects.filter(key__startswith="demo-picture-").count(), 6)

    def test_same_seed_gives_the_same_content(self) -> None:
        first = demo_articles(3)
        Article.objects.filter(slug__regex=r"-3-[0-9]+$").delete()
        run_command("seed_demo", "--articles", "60", "--authors", "5", "--seed", "3")
        self.assertEqual(demo_articles(3), first)

    def test_another_seed_gives_other_content(self) -> None:
        run_command("seed_demo", "--articles", "60", "--authors", "5", "--seed", "4")
        self.assertNotEqual([a[:3] for a in demo_articles(4)], [a[:3] for a in demo_articles(3)])

    def test_same_seed_twice_is_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "Demo content for --seed 3 is already there"):
            run_command("seed_demo", "--articles", "5", "--seed", "3")

    def test_dry_run_writes_nothing(self) -> None:
        count = Article.objects.count()
        output, _ = run_command("seed_demo", "--articles", "10", "--seed", "9", "--dry-run")
        self.assertIn("Dry run: would create 10 articles by 20 authors (seed 9).", output)
        self.assertEqual(Article.objects.count(), count)

    def test_queries_do_not_grow_with_the_number_of_articles(self) -> None:
        """Bulk writes: 10 or 30 articles (in one batch) cost the same queries."""
        counts = []
        for seed, articles in [(11, "10"), (12, "30")]:
            with CaptureQueriesContext(connection) as queries:
                run_command("seed_demo", "--articles", articles, "--seed", str(seed), "-v", "0")
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
