"""Moving a site between installs, as staff do it: export from install A with its
media, import into a freshly migrated install B, and B holds what A holds.

Each install is its own database and media folder, driven by manage.py in
subprocesses (as tests/test_command_subprocess.py runs commands). On SQLite the
installs are two database files; on PostgreSQL two databases made on the test run's
cluster, so the move is tested on the engine the suite runs on (UUIDs, times with
their zones and sequences are the engine's own).
"""

import json
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.db import connection
from django.test import SimpleTestCase

from tests.base import DATA
from tests.test_command_subprocess import manage

# Every row of the content a move carries, keyed by what identifies it on any install
# (uids, slugs, keys; a row without one by its fields and what it points at), not by
# its database id. Fields an install keeps for itself are left out: ids, when a row
# was created or modified and by whom, the edit counter, when the go-live side effects
# ran, the search vector (built by each install).
DUMP = r"""
import hashlib, json
from django.apps import apps
from django.db import models

MODELS = [
    "articles.Article", "articles.Byline", "articles.TaggedArticle", "quotes.Quote",
    "pictures.Image", "disclosures.Organisation", "disclosures.Disclosure",
    "disclosures.RecordedDisclosure", "articles.Correction", "articles.Citation",
    "authors.Author", "authors.AuthorLink", "disclosures.AuthorInterest",
]
# Speakers and topics travel inside the records that use them (exporting.py): those
# no quote, article or organisation uses stay behind.
USED = {
    "quotes.Speaker": lambda rows: rows.filter(quotes__isnull=False).distinct(),
    "taggit.Tag": lambda rows: rows.filter(
        models.Q(articles_taggedarticle_items__isnull=False) | models.Q(organisation__isnull=False)
    ).distinct(),
}
# Each install's own: ids, times, and what it derives from the rest (the search vector,
# the rendered body, which names this install's rendition files).
OWN = {"id", "created_at", "modified_at", "created_by", "modified_by", "version",
       "went_live_at", "search_vector", "body_html"}

def value(obj, field):
    if field.is_relation:
        target = getattr(obj, field.name)
        return None if target is None else identity(target)
    raw = getattr(obj, field.attname)
    if isinstance(field, models.FileField):
        if not raw:
            return ""
        with raw.open("rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()
    return raw if raw is None or isinstance(raw, (bool, int)) else str(raw)

def fields(obj):
    return {
        f.name: value(obj, f)
        for f in obj._meta.concrete_fields
        if f.name not in OWN and not f.name.endswith(("_width", "_height"))
        and f.name not in ("width", "height")
    }

def identity(obj):
    for name in ("uid", "slug", "key"):
        if hasattr(obj, name) and not hasattr(obj, "article_id"):
            return getattr(obj, name) and str(getattr(obj, name))
    return fields(obj)

rows = {label: apps.get_model(label).objects.all() for label in MODELS}
rows |= {label: used(apps.get_model(label).objects.all()) for label, used in USED.items()}
dump = {
    label: sorted(json.dumps(fields(obj), sort_keys=True) for obj in objects)
    for label, objects in rows.items()
}
print(json.dumps(dump))
"""


class MoveSiteTests(SimpleTestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory(prefix="newsroom-move-")
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def database(self, name: str) -> str:
        """An empty database for one install, removed when the test ends."""
        if connection.vendor != "postgresql":
            return f"sqlite:///{self.folder / name}.sqlite3"
        settings = connection.settings_dict
        database = f"{settings['NAME']}_{name}_{uuid.uuid4().hex[:8]}"
        self.on_cluster(f'CREATE DATABASE "{database}"')
        self.addCleanup(self.on_cluster, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        host = quote(settings["HOST"] or "", safe="")
        port = f":{settings['PORT']}" if settings["PORT"] else ""
        return f"postgres://{settings['USER']}@{host}{port}/{database}"

    @staticmethod
    def on_cluster(statement: str) -> None:
        # CREATE and DROP DATABASE run outside a transaction, on a connection of their
        # own to the cluster's maintenance database.
        settings = connection.settings_dict
        with psycopg.connect(
            dbname="postgres",
            user=settings["USER"],
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            password=settings["PASSWORD"] or None,
            autocommit=True,
        ) as cluster:
            cluster.execute(statement)  # type: ignore[arg-type]

    def install(self, name: str) -> dict[str, str]:
        """The settings of an install of its own: its database and media folder (the
        test settings give every process a media folder removed at its exit)."""
        media = self.folder / f"{name}-media"
        media.mkdir()
        env = {
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DEBUG": "true",
            "SECRET_KEY": "move-test-only",
            "database_url": self.database(name),
            "MEDIA_ROOT": str(media),
            "LOG_LEVEL": "WARNING",
        }
        self.manage(env, "migrate", "--no-input")
        return env

    def manage(self, env: dict[str, str], *args: str) -> str:
        result = manage(*args, **env)
        self.assertEqual(result.returncode, 0, f"manage.py {' '.join(args)}:\n{result.stderr}")
        return result.stdout

    def contents(self, env: dict[str, str]) -> dict[str, list[str]]:
        out = self.manage(env, "shell", "--no-imports", "-c", DUMP)
        return json.loads(out.strip().splitlines()[-1])

    def test_export_then_import_into_a_fresh_install_gives_the_same_site(self) -> None:
        """Install A: the seeded story, demo articles, and imported ones with pictures,
        quotes, corrections and disclosures. Its export, with its media, imported into a
        freshly migrated install B: every article, quote, speaker, image, author,
        disclosure and correction of A is in B, field by field, and nothing else."""
        a = self.install("a")
        self.manage(a, "seed_demo", "--articles", "6", "--authors", "3")
        self.manage(
            a,
            "import_articles",
            str(DATA / "jsonl/articles.jsonl"),
            "--media-dir",
            str(DATA / "jsonl/media"),
        )
        export, media = self.folder / "site.jsonl", self.folder / "site-media"
        self.manage(a, "export_articles", "-o", str(export), "--media-dir", str(media))

        b = self.install("b")
        imported = self.manage(b, "import_articles", str(export), "--media-dir", str(media))
        self.assertIn("Import complete.", imported)

        expected, moved = self.contents(a), self.contents(b)
        self.assertGreater(len(expected["articles.Article"]), 8)
        self.assertTrue(expected["articles.Correction"])
        self.assertTrue(expected["disclosures.RecordedDisclosure"])
        for label, rows in expected.items():
            with self.subTest(label):
                self.assertEqual(moved[label], rows)
