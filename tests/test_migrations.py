"""Migrations: complete, reversible, and the seed reverses and re-applies cleanly."""

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.test import SimpleTestCase, TestCase

from tests.base import SEED_SLUG

ROOT = Path(__file__).resolve().parent.parent


class MigrationsCompleteTests(TestCase):
    def test_no_model_change_lacks_a_migration(self) -> None:
        """makemigrations --check finds nothing to write."""
        call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


class ScratchDatabaseTestCase(SimpleTestCase):
    """Migrations run by manage.py in a separate process, like a deploy, against a
    scratch database of the same engine as the suite."""

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

    def shell(self, url: str, code: str) -> str:
        return self.manage(url, "shell", "-v", "0", "-c", code).stdout.strip()


class MigrateToZeroAndBackTests(ScratchDatabaseTestCase):
    """`migrate` forward, every app back to zero, and forward again."""

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
        self.assertEqual(self.shell(url, count), "1")


class SeedMigrationTests(ScratchDatabaseTestCase):
    def test_seed_reverses_and_reapplies(self) -> None:
        """Migrating the articles back to 0001 removes the story, its author, pictures and
        quotes; forward brings them back, with the letter's speaker and the disclosure
        recorded as of publication. (Each manage.py process has its own media folder, so
        the pictures' files are checked in test_seed_story instead.)"""
        url = self.scratch_database_url()
        for step in [["migrate", "--no-input"], ["migrate", "articles", "0001", "--no-input"]]:
            self.assertEqual(self.manage(url, *step).returncode, 0)
        counts = (
            "from articles.models import Article, Image, Quote; from authors.models import Author;"
            "print([m.objects.count() for m in (Article, Author, Image, Quote)])"
        )
        self.assertEqual(self.shell(url, counts), "[0, 0, 0, 0]")

        self.assertEqual(self.manage(url, "migrate", "--no-input").returncode, 0)
        story = (
            f"from articles.models import Article; a = Article.objects.get(slug='{SEED_SLUG}');"
            "print(a.quotes.count(), sorted({q.speaker.name for q in a.quotes.all()}),"
            " [r.statement for r in a.recorded_disclosures.all()])"
        )
        self.assertEqual(
            self.shell(url, story),
            "5 ['Salesforce employees'] ['Salesforce is a premier partner of diginomica']",
        )
