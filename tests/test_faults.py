"""Faults with real engines (issue 9, point 7): PostgreSQL stopped for a few seconds
under load and started again, behind a real gunicorn.

The test makes its own PostgreSQL cluster (scripts/run_tests.py's helper), so stopping
it never touches the suite's own database. It runs in the PostgreSQL half of
scripts/run_tests.py, where the server binaries are known to exist.
"""

import contextlib
import http.cookiejar
import importlib.util
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
_spec = importlib.util.spec_from_file_location("run_tests", ROOT / "scripts" / "run_tests.py")
assert _spec and _spec.loader
run_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_tests)

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_LABEL", "").startswith("PostgreSQL"),
    reason="stops and starts a PostgreSQL server: runs in the PostgreSQL half of run_tests.py",
)

SEED = "/articles/salesforce-staffers-voice-concern-over-contract-with-us-border-control/"
PASSWORD = "fault-test-password-0"  # noqa: S105


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def site_on(database_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Migrate the database, then serve the site with gunicorn on a loopback port
    (its log goes to test-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings_test",
        # Persistent connections: the outage kills them, health checks must notice.
        "CONN_MAX_AGE": "60",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "createsuperuser", "--no-input", "--username", "edith", "--email", "e@x.org"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    speaker = (
        "from articles.models import Speaker; Speaker.objects.create(name='Someone', slug='x')"
    )
    subprocess.run([*manage, "shell", "-v0", "-c", speaker], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = (ARTIFACTS / "database-outage-gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{base}/healthz/", timeout=2)  # noqa: S310 (loopback)
                break
            time.sleep(0.1)
        yield base, env
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def fetch(
    opener: urllib.request.OpenerDirector, url: str, data: bytes | None = None
) -> tuple[int, str, dict[str, str]]:
    try:
        with opener.open(url, data=data, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def csrf_from(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Readers(threading.Thread):
    """Readers on public pages, until told to stop; every status is counted, and the
    5xx pages kept to check they are the styled 503."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.stop = base, threading.Event()
        self.statuses: Counter[int] = Counter()
        self.bad_pages: list[str] = []
        self.opener = urllib.request.build_opener()

    def run(self) -> None:
        urls = ["/", SEED, "/feed/", "/search/?q=salesforce", "/archive/", "/sitemap-articles.xml"]
        while not self.stop.is_set():
            for url in urls:
                status, body, headers = fetch(self.opener, self.base + url)
                self.statuses[status] += 1
                if status >= 500 and (
                    status != 503 or "Back in a moment" not in body or "Retry-After" not in headers
                ):
                    self.bad_pages.append(f"{status} {url}: {body[:200]}")


def test_database_outage_gives_503_then_recovers_and_saves_stay_whole() -> None:
    bindir = run_tests.find_pg_bindir()
    assert bindir is not None
    prefix, _, _ = run_tests._as_cluster_owner()
    with run_tests.postgres_cluster(bindir) as database_url, site_on(database_url) as (base, env):
        data = (
            Path(urllib.parse.unquote(urllib.parse.urlsplit(database_url).netloc.split("@")[1]))
            / "data"
        )

        def pg_ctl(*args: str) -> None:
            subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-w", *args],
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip

        editor = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        _, login, _ = fetch(editor, f"{base}/admin/login/")
        form = {"username": "edith", "password": PASSWORD, "csrfmiddlewaretoken": csrf_from(login)}
        status, _, _ = fetch(
            editor, f"{base}/admin/login/?next=/admin/", urllib.parse.urlencode(form).encode()
        )
        assert status == 200  # followed to the admin index

        readers = [Readers(base) for _ in range(3)]
        for reader in readers:
            reader.start()
        time.sleep(2)

        # The editor opens the add form, then the database goes away before the save.
        _, add_form, _ = fetch(editor, f"{base}/admin/articles/article/add/")
        pg_ctl("-m", "immediate", "stop")
        article = {
            "csrfmiddlewaretoken": csrf_from(add_form), "headline": "Saved in the outage",
            "slug": "saved-in-the-outage", "kind": "news", "standfirst": "S", "body": "[[quote:q]]",
            "tags": "Outages", "embargo_until_0": "", "embargo_until_1": "", "embargo_by": "",
            "embargo_note": "", "update_reason": "",
            "bylines-TOTAL_FORMS": 0, "bylines-INITIAL_FORMS": 0,
            "quotes-TOTAL_FORMS": 1, "quotes-INITIAL_FORMS": 0, "quotes-0-key": "q",
            "quotes-0-text": "Words", "quotes-0-speaker": 1,
            "quotes-0-source_kind": "statement", "quotes-0-position": 0,
            "corrections-TOTAL_FORMS": 0, "corrections-INITIAL_FORMS": 0,
            "citations-TOTAL_FORMS": 0, "citations-INITIAL_FORMS": 0,
            "own_disclosures-TOTAL_FORMS": 0, "own_disclosures-INITIAL_FORMS": 0,
        }  # fmt: skip
        save_status, save_page, _ = fetch(
            editor, f"{base}/admin/articles/article/add/", urllib.parse.urlencode(article).encode()
        )
        time.sleep(3)  # readers keep reading through the outage
        during = sum(reader.statuses[503] for reader in readers)
        pg_ctl(
            "-o",
            f"-k {data.parent} -c listen_addresses=''",
            "-l",
            str(data.parent / "server.log"),
            "start",
        )

        # Recovery by itself: no restart of gunicorn. Readers must see 200s again.
        recovered = False
        for _ in range(100):
            if fetch(urllib.request.build_opener(), base + SEED)[0] == 200:
                recovered = True
                break
            time.sleep(0.1)
        before = sum(reader.statuses[200] for reader in readers)
        time.sleep(2)
        for reader in readers:
            reader.stop.set()
        for reader in readers:
            reader.join(timeout=60)
        after = sum(reader.statuses[200] for reader in readers)

        totals = sum((reader.statuses for reader in readers), Counter())
        (ARTIFACTS / "database-outage.txt").write_text(
            f"reader responses by status: {dict(sorted(totals.items()))}\n"
            f"editor save during the outage: {save_status}\n"
        )
        assert [page for reader in readers for page in reader.bad_pages] == []
        assert during > 0, "the outage was not seen by any reader"
        assert recovered and after > before
        # The save made during the outage failed clearly (503 page) and left nothing.
        assert save_status == 503 and "Back in a moment" in save_page
        count = (
            "from articles.models import Article, Quote;"
            "print(Article.objects.filter(slug='saved-in-the-outage').count(),"
            " Quote.objects.filter(article__slug='saved-in-the-outage').count())"
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v0", "-c", count],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert result.stdout.split() == ["0", "0"]
        # And the same save, made again after the outage, goes through whole.
        _, add_form, _ = fetch(editor, f"{base}/admin/articles/article/add/")
        article["csrfmiddlewaretoken"] = csrf_from(add_form)
        status, _, _ = fetch(
            editor, f"{base}/admin/articles/article/add/", urllib.parse.urlencode(article).encode()
        )
        assert status == 200
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v0", "-c", count],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert result.stdout.split() == ["1", "1"]
