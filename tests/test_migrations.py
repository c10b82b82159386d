"""Migrations: complete, and the seed migration reverses and re-applies cleanly."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase, TransactionTestCase

from articles.models import Article, Image, Quote
from authors.models import Author
from tests.base import SEED_SLUG


class MigrationsCompleteTests(TestCase):
    def test_no_model_change_lacks_a_migration(self) -> None:
        """makemigrations --check finds nothing to write."""
        call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


class SeedMigrationTests(TransactionTestCase):
    serialized_rollback = True

    def test_seed_reverses_and_reapplies(self) -> None:
        """Migrating back removes the story, its author and pictures; forward brings them back."""
        call_command("migrate", "articles", "0001", verbosity=0)
        self.assertFalse(Article.objects.filter(slug=SEED_SLUG).exists())
        self.assertFalse(Author.objects.filter(slug="slauchlan").exists())
        self.assertFalse(Image.objects.exists())
        self.assertFalse(Quote.objects.exists())

        call_command("migrate", "articles", verbosity=0)
        article = Article.objects.get(slug=SEED_SLUG)
        self.assertEqual(article.quotes.count(), 5)
        self.assertEqual(
            {quote.speaker.name for quote in article.quotes.all()}, {"Salesforce employees"}
        )
        self.assertEqual(
            article.recorded_disclosures.get().statement,
            "Salesforce is a premier partner of diginomica",
        )
        self.assertTrue(article.lead_image.file.storage.exists(article.lead_image.file.name))
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 200)
