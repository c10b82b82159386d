"""Production settings and health endpoints."""

import json
import subprocess
import sys
from pathlib import Path
from unittest import mock

from django.db import OperationalError
from django.test import SimpleTestCase, TestCase

from deploy.engines import controlled_environment

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-" + "x" * 50,
    "ALLOWED_HOSTS": "news.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://news.example.com",
    "DATABASE_URL": "sqlite:////tmp/newsroom-deploy-check.sqlite3",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py with the real settings and nothing but the given variables."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=controlled_environment(DJANGO_SETTINGS_MODULE="newsroom.settings", **env),
        capture_output=True,
        text=True,
        check=False,
    )


class DeployCheckTests(SimpleTestCase):
    def test_check_deploy_is_clean_with_production_settings(self) -> None:
        """`manage.py check --deploy` reports nothing, not even a warning."""
        result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertIn("System check identified no issues", result.stdout)

    def test_logs_are_json_lines_in_production(self) -> None:
        code = "import logging; logging.getLogger('newsroom').warning('disk %s', 'full')"
        result = manage("shell", "-v", "0", "-c", code, **PRODUCTION)
        record = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertEqual((record["level"], record["logger"]), ("WARNING", "newsroom"))
        self.assertEqual(record["message"], "disk full")


class HealthTests(TestCase):
    def test_healthz_is_cheap_and_never_cached(self) -> None:
        with self.assertNumQueries(0):
            response = self.client.get("/healthz/")
        self.assertEqual(response.content, b"ok\n")
        self.assertIn("no-cache", response["Cache-Control"])

    def test_readyz_checks_database_and_cache(self) -> None:
        response = self.client.get("/readyz/")
        self.assertEqual(response.json(), {"ready": True, "database": "ok", "cache": "ok"})
        self.assertIn("no-store", response["Cache-Control"])

    def test_readyz_says_503_when_the_database_is_down(self) -> None:
        """Fault injection: every query fails, as when the server has gone away."""
        with (
            mock.patch(
                "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError
            ),
            self.assertLogs("newsroom.health", "ERROR"),
        ):
            response = self.client.get("/readyz/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["database"], "failing")

    def test_readyz_reports_a_cache_outage_but_stays_ready(self) -> None:
        """Fault injection: the cache client cannot connect. The site serves from the
        database meanwhile (tests/test_faults.py proves it with a real Redis), so the
        load balancer must keep the server."""
        with (
            mock.patch("django.core.cache.cache.set", side_effect=ConnectionError("refused")),
            self.assertLogs("newsroom.health", "ERROR"),
        ):
            response = self.client.get("/readyz/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"ready": True, "database": "ok", "cache": "failing"})
