"""Settings come from the environment, strictly parsed."""

import os
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
SHOW_SETTINGS = "import newsroom.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])"


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the real settings in a fresh interpreter with the given variables."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import newsroom.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DEBUG": "", "SECRET_KEY": "", "DATABASE_URL": "", **env},
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
