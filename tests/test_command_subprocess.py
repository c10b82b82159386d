"""The staff commands as staff run them: manage.py in a subprocess, exit codes and output.

Few and cheap: the behaviour is tested through call_command elsewhere. The subprocess
uses the test database: on PostgreSQL the test's own (committed, so TransactionTestCase);
on SQLite, whose test database lives in this process's memory, a file copy of it.
"""

import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.db import connection
from django.test import SimpleTestCase, TransactionTestCase

from tests.base import DATA

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [
    "import_articles",
    "export_articles",
    "publish_scheduled",
    "seed_demo",
    "check_content",
    "renditions",
    "render_bodies",
    "backup",
    "restore",
]


def manage(
    *args: str, database_url: str = "sqlite:///:memory:", **environment: str
) -> subprocess.CompletedProcess[str]:
    """manage.py with the test settings unless `environment` says otherwise."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings_test",
        "DATABASE_URL": database_url,
        **environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class HelpTests(SimpleTestCase):
    def test_every_command_explains_itself_with_examples(self) -> None:
        for command in COMMANDS:
            with self.subTest(command):
                result = manage(command, "--help")
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertIn("examples:\n  manage.py " + command, result.stdout)
                self.assertIn("--verbosity", result.stdout)
                examples = result.stdout.split("\nexamples:\n")[1]
                for line in examples.splitlines():
                    command = line.strip().split("#")[0].rstrip()
                    # An example is written as it is typed: one space between words.
                    self.assertNotIn("  ", command, line)

    def test_expected_problems_are_one_line_errors_without_traceback(self) -> None:
        for path, message in [
            ("missing.jsonl", "missing.jsonl: no such file; nothing was imported."),
            (str(DATA / "wordpress/bomb.xml"), "refused: the XML declares a DTD or entities"),
        ]:
            with self.subTest(path):
                result = manage("import_articles", path)
                self.assertEqual(result.returncode, 1)
                self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
                self.assertIn(message, result.stderr)
                self.assertNotIn("Traceback", result.stderr)


class StaffSessionTests(TransactionTestCase):
    serialized_rollback = True

    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)
        self.database_url = self.shared_database_url()

    def shared_database_url(self) -> str:
        settings = connection.settings_dict
        if connection.vendor == "postgresql":
            host = quote(settings["HOST"] or "", safe="")
            port = f":{settings['PORT']}" if settings["PORT"] else ""
            return f"postgres://{settings['USER']}@{host}{port}/{settings['NAME']}"
        copy = self.folder / "test.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return manage(*args, database_url=self.database_url)

    def at_terminal(self, args: list[str], answers: list[str]) -> str:
        """Run manage.py with a terminal of its own, typing each answer after a prompt
        ending in ": " appears; return everything the terminal showed."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings_test",
            "DATABASE_URL": self.database_url,
        }
        env.pop("NEWSROOM_PASSWORD", None)
        pid, terminal = pty.fork()
        if pid == 0:  # pragma: no cover - the child becomes manage.py
            os.chdir(ROOT)
            os.execve(sys.executable, [sys.executable, "manage.py", *args], env)  # noqa: S606
        shown = b""
        pending = list(answers)
        try:
            while True:
                ready, _, _ = select.select([terminal], [], [], 60)
                if not ready:
                    self.fail(f"manage.py said nothing for 60 s; it showed {shown!r}")
                try:
                    chunk = os.read(terminal, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
                if pending and shown.rstrip(b" ").endswith(b":"):
                    os.write(terminal, pending.pop(0).encode() + b"\n")
        finally:
            os.close(terminal)
            os.waitpid(pid, 0)
        return shown.decode()

    def test_import_twice_export_check_and_publish(self) -> None:
        """Import (exit 0), again (all unchanged), export to stdout (JSON Lines, report on
        stderr), check_content (exit 0, JSON), publish_scheduled (nothing due), renditions
        (exit 1 and one line for an unknown image)."""
        articles = str(DATA / "jsonl/articles.jsonl")
        media = str(DATA / "jsonl/media")
        first = self.manage("import_articles", articles, "--media-dir", media)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("Articles: 4 created, 0 updated, 0 unchanged.", first.stdout)

        again = self.manage("import_articles", articles, "--media-dir", media)
        self.assertIn("Articles: 0 created, 0 updated, 4 unchanged.", again.stdout)

        exported = self.manage("export_articles", "--tag", "digital-government")
        self.assertEqual(exported.returncode, 0, exported.stderr)
        slugs = [json.loads(line).get("slug") for line in exported.stdout.splitlines()]
        self.assertIn("councils-sign-up-for-sovereign-cloud", slugs)
        self.assertIn("Exported 2 articles.", exported.stderr)

        checked = self.manage("check_content", "--format", "json")
        self.assertEqual(checked.returncode, 0, checked.stdout)
        self.assertEqual(json.loads(checked.stdout)["count"], 0)

        published = self.manage("publish_scheduled")
        self.assertEqual(published.returncode, 0, published.stderr)
        self.assertIn("Nothing was due.", published.stdout)

        renditions = self.manage("renditions", "--dry-run", "--image", "no-such-picture")
        self.assertEqual(renditions.returncode, 1)
        self.assertEqual(
            renditions.stderr.strip(), "CommandError: No image has the key 'no-such-picture'."
        )

    def test_grant_role_creates_an_account_asking_for_the_password_twice(self) -> None:
        """On a fresh install the README's grant_role --create asks for the password
        twice (a mismatch asks again) and the account can then log in."""
        shown = self.at_terminal(
            ["grant_role", "alice", "editor", "--create"],
            ["plum-harbour-42", "plum-harbour-43", "plum-harbour-42", "plum-harbour-42"],
        )
        self.assertIn("The passwords do not match; try again.", shown)
        self.assertIn("Created the account alice with the editor role.", shown)
        self.assertNotIn("plum-harbour", shown)
        checked = self.manage(
            "shell",
            "--no-imports",
            "-c",
            "from django.contrib.auth.models import User; "
            "alice = User.objects.get(username='alice'); "
            "print(alice.is_staff, alice.check_password('plum-harbour-42'), "
            "list(alice.groups.values_list('name', flat=True)))",
        )
        self.assertEqual(checked.stdout.strip(), "True True ['Editor']", checked.stderr)

    def test_bad_file_exits_non_zero_and_lists_the_bad_records(self) -> None:
        result = self.manage("import_articles", str(DATA / "jsonl/bad.jsonl"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("bad.jsonl line 4: unknown author 'nobody-here'", result.stderr)
        self.assertTrue(
            result.stderr.rstrip().endswith(
                "nothing was imported (--partial would import the 3 good ones)."
            )
        )
        self.assertNotIn("Traceback", result.stderr)
