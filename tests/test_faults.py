"""Faults with real engines, behind a real gunicorn:
PostgreSQL stopped for a few seconds under load and started again; Redis, the shared
cache, stopped and started again.

The PostgreSQL test makes its own cluster (scripts/run_tests.py's helper), so stopping
it never touches the suite's own database; it runs in the PostgreSQL half of
scripts/run_tests.py, where the server binaries are known to exist. The Redis test
keeps its site on a SQLite file of its own (the cache's faults do not depend on the
database) and runs in the SQLite half.
"""

import contextlib
import http.cookiejar
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import redis

from deploy.engines import (
    READY_SECONDS,
    controlled_environment,
    log_tail,
    wait_until,
    wait_until_answering,
)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
_spec = importlib.util.spec_from_file_location("run_tests", ROOT / "scripts" / "run_tests.py")
assert _spec and _spec.loader
run_tests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_tests)

ON_POSTGRESQL = os.environ.get("TEST_DATABASE_LABEL", "").startswith("PostgreSQL")

SEED = "/articles/salesforce-staffers-voice-concern-over-contract-with-us-border-control/"
PASSWORD = "fault-test-password-0"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    """Run a manage.py command against the test site's database; its output. A failure
    shows what the command printed, not only its exit status."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"manage.py {args[0]}: {result.stdout}{result.stderr}"
    return result.stdout


def django_shell(env: dict[str, str], code: str) -> str:
    """Run code in `manage.py shell` against the test site's database; its output."""
    return manage(env, "shell", "-v0", "-c", code)


@contextlib.contextmanager
def site_on(
    database_url: str, name: str, *, workers: int = 2, **settings: str
) -> Iterator[tuple[str, dict[str, str]]]:
    """Migrate the database, then serve the site with gunicorn on a loopback port, in a
    controlled environment (deploy.engines). Its log, the app's included, goes to
    test-artifacts/<name>-gunicorn.log and is printed when the test fails. `settings`
    are more environment variables."""
    ARTIFACTS.mkdir(exist_ok=True)
    env = controlled_environment(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="newsroom.settings_test",
        # Persistent connections: the outage kills them, health checks must notice.
        CONN_MAX_AGE="60",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
        **settings,
    )
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "createsuperuser", "--no-input", "--username", "edith", "--email", "e@x.org")
    django_shell(
        env, "from quotes.models import Speaker; Speaker.objects.create(name='Someone', slug='x')"
    )
    port = free_port()
    log = ARTIFACTS / f"{name}-gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--threads", "4", "--access-logfile", "/dev/null"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/healthz/", server, log=log)
        try:
            yield base, env
        except BaseException:
            print(log_tail(log), file=sys.stderr)
            raise
    finally:
        server.terminate()
        server.wait(timeout=30)


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


def log_in(base: str) -> tuple[int, urllib.request.OpenerDirector]:
    """The editor's browser, logged in to the admin: the status the login ended on
    (200: followed to the admin index) and the opener that keeps the session cookie."""
    editor = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    _, login, _ = fetch(editor, f"{base}/admin/login/")
    form = {"username": "edith", "password": PASSWORD, "csrfmiddlewaretoken": csrf_from(login)}
    status, _, _ = fetch(
        editor, f"{base}/admin/login/?next=/admin/", urllib.parse.urlencode(form).encode()
    )
    return status, editor


def new_article(csrf: str, slug: str) -> dict[str, str | int]:
    """The admin's add form for an article with one quote, filled in."""
    return {
        "csrfmiddlewaretoken": csrf, "headline": slug.replace("-", " ").capitalize(),
        "slug": slug, "kind": "news", "standfirst": "S", "body": "[[quote:q]]",
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


def rows_of(env: dict[str, str], slug: str) -> list[str]:
    """How many articles have the slug, and how many quotes they have."""
    return django_shell(
        env,
        "from articles.models import Article; from quotes.models import Quote;"
        f"print(Article.objects.filter(slug='{slug}').count(),"
        f" Quote.objects.filter(article__slug='{slug}').count())",
    ).split()


class FormFields(HTMLParser):
    """The fields a browser sends when the page's forms are submitted unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        kind = attributes.get("type") or "text"
        if tag == "input" and name and kind not in ("submit", "button", "file", "image"):
            if kind not in ("checkbox", "radio"):
                self.fields.append((name, attributes.get("value") or ""))
            elif "checked" in attributes:
                self.fields.append((name, attributes.get("value") or "on"))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields.append((self._select, attributes.get("value") or ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea:
            # A browser drops the newline right after <textarea>.
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None


def save_headline(
    editor: urllib.request.OpenerDirector, change_url: str, headline: str
) -> tuple[int, str]:
    """Open an article's change form and save it with a new headline, as an editor's
    browser would; the status and page the save ended on."""
    _, form_page, _ = fetch(editor, change_url)
    parser = FormFields()
    parser.feed(form_page)
    changes = {"headline": headline, "update_reason": "New headline"}
    fields = [(name, changes.get(name, value)) for name, value in parser.fields]
    status, page, _ = fetch(editor, change_url, urllib.parse.urlencode(fields).encode())
    return status, page


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


@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="stops and starts a PostgreSQL server: runs in the PostgreSQL half of run_tests.py",
)
def test_database_outage_gives_503_then_recovers_and_saves_stay_whole() -> None:
    bindir = run_tests.find_pg_bindir()
    assert bindir is not None
    prefix, _, _ = run_tests._as_cluster_owner()
    with (
        run_tests.postgres_cluster(bindir) as database_url,
        site_on(database_url, "database-outage") as (base, env),
    ):
        data = (
            Path(urllib.parse.unquote(urllib.parse.urlsplit(database_url).netloc.split("@")[1]))
            / "data"
        )

        def pg_ctl(*args: str) -> None:
            subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-w", *args],
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip

        status, editor = log_in(base)
        assert status == 200  # followed to the admin index

        readers = [Readers(base) for _ in range(3)]
        for reader in readers:
            reader.start()
        time.sleep(2)

        # The editor opens the add form, then the database goes away before the save.
        _, add_form, _ = fetch(editor, f"{base}/admin/articles/article/add/")
        pg_ctl("-m", "immediate", "stop")
        article = new_article(csrf_from(add_form), "saved-in-the-outage")
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

        # Recovery by itself, with no restart of gunicorn: readers' pages answer again.
        # Probed with the servers' deadline, since a loaded machine reconnects slowly.
        recovered = False
        deadline = time.monotonic() + READY_SECONDS
        while not recovered and time.monotonic() < deadline:
            recovered = fetch(urllib.request.build_opener(), base + SEED)[0] == 200
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
        assert rows_of(env, "saved-in-the-outage") == ["0", "0"]
        # And the same save, made again after the outage, goes through whole.
        _, add_form, _ = fetch(editor, f"{base}/admin/articles/article/add/")
        article["csrfmiddlewaretoken"] = csrf_from(add_form)
        status, _, _ = fetch(
            editor, f"{base}/admin/articles/article/add/", urllib.parse.urlencode(article).encode()
        )
        assert status == 200
        assert rows_of(env, "saved-in-the-outage") == ["1", "1"]


# The public pages of every kind the cache outage test reads.
PUBLIC_PAGES = [
    "/", SEED, "/topics/salesforce/", "/authors/slauchlan/", "/search/?q=salesforce",
    "/feed/", "/speakers/salesforce-employees/", "/disclosures/",
]  # fmt: skip


def start_redis(folder: Path) -> subprocess.Popen[bytes]:
    """Redis on a Unix socket in `folder`, keeping a snapshot there as a persistent
    Redis does: stopped, it saves every entry; started again, it loads them, so the
    pages stored before an outage are back after it."""
    executable = shutil.which("redis-server")
    assert executable, "redis-server is missing: apt-get install redis-server (.ci/run does)"
    server = subprocess.Popen(
        [executable, "--port", "0", "--unixsocket", str(folder / "redis.sock"),
         "--unixsocketperm", "700", "--dir", str(folder), "--save", "3600 1",
         "--appendonly", "no", "--logfile", str(folder / "redis.log")],
    )  # fmt: skip
    client = redis.Redis(unix_socket_path=str(folder / "redis.sock"))

    def answering() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    wait_until(answering, server, "Redis", log=folder / "redis.log")
    return server


def read_pages(base: str, statuses: Counter[int]) -> dict[str, tuple[str, str]]:
    """Every public page, as an anonymous reader: its body and X-Page-Cache header,
    by address. Every status is counted."""
    reader, pages = urllib.request.build_opener(), {}
    for url in PUBLIC_PAGES:
        status, body, headers = fetch(reader, base + url)
        statuses[status] += 1
        pages[url] = (body, headers.get("X-Page-Cache", ""))
    return pages


@pytest.mark.skipif(ON_POSTGRESQL, reason="runs once, in the SQLite half, on its own database")
def test_cache_outage_serves_from_the_database_and_the_cache_comes_back() -> None:
    """Redis stopped: every page is served from the database, editors log in and save;
    Redis started again: it is used again, and no page stored before the outage (and
    reloaded from its snapshot) hides the change saved during it. One gunicorn worker:
    making up for the missed invalidation is per process (newsroom.page_cache)."""
    folder = Path(tempfile.mkdtemp(prefix="newsroom-redis-"))
    statuses: dict[str, Counter[int]] = {"up": Counter(), "down": Counter(), "back": Counter()}
    cache = redis.Redis(unix_socket_path=str(folder / "redis.sock"))
    server = start_redis(folder)
    try:
        with site_on(
            f"sqlite:///{folder / 'db.sqlite3'}", "cache-outage", workers=1,
            TEST_CACHE_URL=f"unix://{folder / 'redis.sock'}",
        ) as (base, env):  # fmt: skip
            status, editor = log_in(base)
            assert status == 200
            change_url = (
                base
                + django_shell(
                    env,
                    "from articles.models import Article; from django.urls import reverse;"
                    f"print(reverse('admin:articles_article_change', args=[Article.objects.get("
                    f"slug='{SEED.split('/')[2]}').pk]))",
                ).strip()
            )

            # Redis up: pages are stored in it and served from it.
            assert save_headline(editor, change_url, "Headline before the outage")[0] == 200
            read_pages(base, statuses["up"])
            pages = read_pages(base, statuses["up"])
            assert {url: hit for url, (_, hit) in pages.items()} == dict.fromkeys(
                PUBLIC_PAGES, "hit"
            )
            assert "Headline before the outage" in pages[SEED][0]
            assert cache.dbsize() > len(PUBLIC_PAGES)

            # Redis stopped (it saves its snapshot first).
            server.terminate()
            server.wait(timeout=30)
            status, body, _ = fetch(urllib.request.build_opener(), f"{base}/readyz/")
            assert (status, json.loads(body)["cache"]) == (200, "failing")
            pages = read_pages(base, statuses["down"])
            assert {url: hit for url, (_, hit) in pages.items()} == dict.fromkeys(PUBLIC_PAGES, "")
            status, editor = log_in(base)  # sessions and login throttling need no cache
            assert status == 200
            status, page = save_headline(editor, change_url, "Headline saved in the outage")
            assert status == 200 and "was changed successfully" in page
            _, add_form, _ = fetch(editor, f"{base}/admin/articles/article/add/")
            article = new_article(csrf_from(add_form), "added-in-the-cache-outage")
            status, _, _ = fetch(
                editor, f"{base}/admin/articles/article/add/",
                urllib.parse.urlencode(article).encode(),
            )  # fmt: skip
            assert status == 200
            assert rows_of(env, "added-in-the-cache-outage") == ["1", "1"]
            assert "Headline saved in the outage" in read_pages(base, statuses["down"])[SEED][0]

            # Redis back, with the pages of before the outage: none is served.
            server = start_redis(folder)
            assert cache.dbsize() > len(PUBLIC_PAGES)
            first, again = read_pages(base, statuses["back"]), read_pages(base, statuses["back"])
            assert "Headline saved in the outage" in first[SEED][0]
            assert "Headline before the outage" not in first[SEED][0]
            assert {url: hit for url, (_, hit) in first.items()} == dict.fromkeys(
                PUBLIC_PAGES, "miss"
            )
            assert {url: hit for url, (_, hit) in again.items()} == dict.fromkeys(
                PUBLIC_PAGES, "hit"
            )
        log = (ARTIFACTS / "cache-outage-gunicorn.log").read_text()
        assert "Page cache unavailable" in log and "Page cache reachable again" in log
        assert "Internal Server Error" not in log  # Django logs every 500 so
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    (ARTIFACTS / "cache-outage.txt").write_text(
        "".join(
            f"reader responses, Redis {phase}: {dict(counts)}\n"
            for phase, counts in statuses.items()
        )
    )
    assert all(set(counts) == {200} for counts in statuses.values())
