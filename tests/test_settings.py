"""Settings come from the environment, strictly parsed."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import skipUnless

from django.db import connection
from django.test import SimpleTestCase, TestCase

from deploy.engines import controlled_environment

ROOT = Path(__file__).resolve().parent.parent
SHOW_SETTINGS = "import newsroom.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])"


def load_settings(show: str = SHOW_SETTINGS, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the real settings in a fresh interpreter with the given variables and run
    `show`, which prints what the test looks at."""
    return subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env=controlled_environment(**{"DEBUG": "", "SECRET_KEY": "", "DATABASE_URL": "", **env}),
        capture_output=True,
        text=True,
        check=False,
    )


class SettingsTests(SimpleTestCase):
    def test_secret_key_required_without_debug(self) -> None:
        result = load_settings(DEBUG="false")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY must be set when DEBUG is off", result.stderr)

    def test_booleans_are_parsed_strictly(self) -> None:
        result = load_settings(DEBUG="ture", SECRET_KEY="x")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DEBUG must be one of", result.stderr)

    def test_sqlite_is_the_default_and_database_url_selects_postgres(self) -> None:
        self.assertIn("sqlite3", load_settings(DEBUG="true").stdout)
        postgres = load_settings(DEBUG="true", DATABASE_URL="postgres://u:p@db.example:5432/news")
        self.assertIn("True django.db.backends.postgresql", postgres.stdout)

    def test_default_media_folder_is_ignored_by_git_and_holds_no_code(self) -> None:
        """Uploads land in a folder of their own: one git ignores (a commit never carries
        a writer's pictures) and no package's (an app's code never mixes with them)."""
        folder = Path(str(settings_json("str(s.MEDIA_ROOT)", MEDIA_ROOT="")))
        git = shutil.which("git")
        self.assertIsNotNone(git, "the tests run in a git checkout")
        ignored = subprocess.run(
            [str(git), "check-ignore", "-q", str(folder / "renditions" / "a.jpg")],
            cwd=ROOT,
            check=False,
        )
        self.assertEqual(ignored.returncode, 0, f"{folder} is not ignored by git")
        packages = {path.parent for path in ROOT.glob("*/__init__.py")}
        self.assertFalse(
            {folder, *folder.parents} & packages, f"{folder} is inside a Python package"
        )


def settings_json(expression: str, **env: str) -> object:
    """The value of `expression` (on the settings module `s`), through JSON."""
    show = f"import json, newsroom.settings as s; print(json.dumps({expression}, default=str))"
    result = load_settings(show, DEBUG="true", **env)
    if result.returncode:
        raise AssertionError(result.stderr)
    return json.loads(result.stdout)


POSTGRES = "postgres://news:pw@primary.example:5432/news"
# What every PostgreSQL connection of the site is started with.
SITE_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0"


class ScaleOutSettingsTests(SimpleTestCase):
    def test_cache_is_local_memory_unless_a_redis_url_is_given(self) -> None:
        self.assertEqual(
            settings_json("s.CACHES['default']['BACKEND']"),
            "django.core.cache.backends.locmem.LocMemCache",
        )
        for variable in ("CACHE_URL", "REDIS_URL"):
            with self.subTest(variable=variable):
                cache = settings_json("s.CACHES['default']", **{variable: "redis://cache:6379/1"})
                self.assertEqual(
                    cache,
                    {
                        "BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": "redis://cache:6379/1",
                        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
                    },
                )

    def test_unknown_cache_scheme_is_refused_naming_the_variable(self) -> None:
        result = load_settings(DEBUG="true", CACHE_URL="memcache://cache:11211")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("CACHE_URL must start with redis://", result.stderr)

    def test_each_replica_url_becomes_a_mirrored_database_alias(self) -> None:
        replicas = (
            "postgres://news:pw@replica1.example/news, postgres://news:pw@replica2.example/news"
        )
        databases = settings_json(
            "{a: (d['HOST'], d.get('TEST')) for a, d in s.DATABASES.items()}",
            DATABASE_URL=POSTGRES,
            DATABASE_REPLICA_URLS=replicas,
        )
        self.assertEqual(
            databases,
            {
                "default": ["primary.example", None],
                "replica_0": ["replica1.example", {"MIRROR": "default"}],
                "replica_1": ["replica2.example", {"MIRROR": "default"}],
            },
        )

    def test_bad_replica_url_is_refused_naming_the_variable(self) -> None:
        result = load_settings(DEBUG="true", DATABASE_REPLICA_URLS="replica.example/news")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DATABASE_REPLICA_URLS is not a database URL", result.stderr)

    def test_database_pool_configures_psycopg_pool_on_every_alias(self) -> None:
        databases = settings_json(
            "{a: (d['CONN_MAX_AGE'], d['OPTIONS']) for a, d in s.DATABASES.items()}",
            DATABASE_URL=POSTGRES,
            DATABASE_REPLICA_URLS=POSTGRES,
            DATABASE_POOL="true",
            DATABASE_POOL_MAX_SIZE="8",
        )
        pool = {"min_size": 1, "max_size": 8, "timeout": 10}
        options = {"pool": pool, "options": SITE_OPTIONS}
        self.assertEqual(databases, {"default": [0, options], "replica_0": [0, options]})

    def test_postgresql_connections_compile_no_jit_start_no_workers_and_keep_the_urls_options(
        self,
    ) -> None:
        databases = settings_json(
            "{a: d['OPTIONS'] for a, d in s.DATABASES.items()}",
            DATABASE_URL=POSTGRES + "?options=-c%20statement_timeout%3D5000",
            DATABASE_REPLICA_URLS=POSTGRES,
        )
        self.assertEqual(
            databases,
            {
                "default": {"options": f"-c statement_timeout=5000 {SITE_OPTIONS}"},
                "replica_0": {"options": SITE_OPTIONS},
            },
        )
        sqlite = settings_json("s.DATABASES['default']['OPTIONS']")
        self.assertNotIn("options", sqlite)

    def test_database_pool_refuses_persistent_connections_and_sqlite(self) -> None:
        both = load_settings(
            DEBUG="true", DATABASE_URL=POSTGRES, DATABASE_POOL="true", CONN_MAX_AGE="60"
        )
        self.assertIn("DATABASE_POOL=true and CONN_MAX_AGE are exclusive", both.stderr)
        sqlite = load_settings(DEBUG="true", DATABASE_POOL="true")
        self.assertIn("DATABASE_POOL=true needs PostgreSQL in DATABASE_URL", sqlite.stderr)

    def test_a_bucket_name_puts_media_on_object_storage(self) -> None:
        self.assertEqual(
            settings_json("s.STORAGES['default']['BACKEND']"),
            "newsroom.storage.MediaStorage",
        )
        options = settings_json(
            "s.STORAGES['default']['OPTIONS']",
            AWS_STORAGE_BUCKET_NAME="media",
            AWS_S3_ENDPOINT_URL="https://s3.example",
            AWS_S3_CUSTOM_DOMAIN="media.example.com",
        )
        self.assertEqual(
            (options["bucket_name"], options["endpoint_url"], options["custom_domain"]),
            ("media", "https://s3.example", "media.example.com"),
        )


@skipUnless(connection.vendor == "postgresql", "PostgreSQL's own setting")
class PostgreSQLConnectionTests(TestCase):
    def test_the_server_compiles_no_jit_for_the_site(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            self.assertEqual(cursor.fetchone(), ("off",))

    def test_the_server_starts_no_parallel_workers_for_the_sites_queries(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            self.assertEqual(cursor.fetchone(), ("0",))
