"""Migrations: complete, reversible, and the seed reverses and re-applies cleanly."""

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from importlib import import_module
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import SimpleTestCase, TestCase

from articles.models import Article, Image, Quote
from authors.models import Author
from tests.base import SEED_SLUG

ROOT = Path(__file__).resolve().parent.parent
SEED = import_module("articles.migrations.0002_seed_salesforce_story")


class MigrationsCompleteTests(TestCase):
    def test_no_model_change_lacks_a_migration(self) -> None:
        """makemigrations --check finds nothing to write."""
        call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


class SeedMigrationTests(TestCase):
    def test_seed_reverses_and_reapplies(self) -> None:
        """The seed's reverse removes the story, its author and pictures; forward brings
        them back, page and all."""
        apps = MigrationExecutor(connection).loader.project_state().apps
        SEED.unseed(apps, None)
        self.assertFalse(Article.objects.filter(slug=SEED_SLUG).exists())
        self.assertFalse(Author.objects.filter(slug="slauchlan").exists())
        self.assertFalse(Image.objects.exists())
        self.assertFalse(Quote.objects.exists())

        SEED.seed(apps, None)
        article = Article.objects.get(slug=SEED_SLUG)
        self.assertEqual(article.quotes.count(), 5)
        self.assertTrue(article.lead_image.file.storage.exists(article.lead_image.file.name))
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 200)


class MigrateToZeroAndBackTests(SimpleTestCase):
    """`migrate` forward, every app back to zero, and forward again, in a scratch database
    of the same engine as the suite, run as a separate process like a deploy would."""

    databases = {"default"}

    def scratch_database_url(self) -> str:
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            folder = tempfile.mkdtemp(prefix="newsroom-migrate-")
            self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
            return f"sqlite:///{folder}/scratch.sqlite3"
        name = f"scratch_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        self.addCleanup(self.drop, name)
        host = settings["HOST"].replace("/", "%2F")
        return f"postgres://{settings['USER']}@{host}/{name}"

    def drop(self, name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')

    def manage(self, url: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "newsroom.settings_test",
            },
            capture_output=True,
            text=True,
            check=False,
        )

    def test_all_the_way_down_and_up_again(self) -> None:
        url = self.scratch_database_url()
        count = "from articles.models import Article; print(Article.objects.count())"
        for step in [
            ["migrate", "--no-input"],
            ["migrate", "articles", "zero", "--no-input"],
            ["migrate", "authors", "zero", "--no-input"],
            ["migrate", "--no-input"],
        ]:
            with self.subTest(step=" ".join(step)):
                result = self.manage(url, *step)
                self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        self.assertEqual(self.manage(url, "shell", "-v", "0", "-c", count).stdout.strip(), "1")
