#!/usr/bin/env python3
"""Load-test the reader site with real parts; prints figures, asserts nothing.

For each archive size: a fresh database seeded with seed_demo, collectstatic, then
gunicorn (gunicorn.conf.py, production settings) on loopback driven by wrk:

- the article page from the page cache (one address, warmed); page-cache misses
  (every request its own query string) with the page's kept parts warm: rendered
  body, related stories, structured data; then with the page cache off (nothing
  kept): the article page (rotating over many articles), home, topic, author,
  search (a rare and a common word, the common one with filters, a misspelt one; also
  one request at a time, the wait a reader sees without a queue), RSS feed and sitemap
  section; then, logged in as an editor and one request at a time, the admin's
  article list and article page (the newest article's and the seed story's);
  `--only admin` measures these alone;
- in the same run, the floors: a bare Django view (same settings and middleware)
  returning the article page's bytes from memory, measured in turns with the cached
  page (three rounds each, the median kept) and again between the uncached rows
  under load (each row's share is of the mean of the floor right before and right
  after it), and nginx serving them as a file.

It prints a table (requests/s, p50, p99 and the ratio of throughput to the floors)
and gunicorn workers' peak memory, and with several sizes draws the uncached pages'
throughput (as a share of the floor) and every row's p50/p99 against archive size as
a PNG. Every process it starts is stopped by its id.

    make bench                                    # 10,000 articles, SQLite
    .venv/bin/python bench/run.py --articles 1000000 --database postgres
    .venv/bin/python bench/run.py --sizes 1000,10000,100000 --plot docs/performance.png
    .venv/bin/python bench/run.py --sizes 10000,100000 --database postgres --only admin

Needs: wrk and nginx (Debian: apt-get install wrk nginx), PostgreSQL server binaries
for --database postgres, matplotlib (bench/requirements.txt) for --plot.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.database import (
    ROOT,
    manage,
    production_env,
    seeded_database,
    stop_cleanly_on_sigterm,
    temporary_folder,
)
from deploy.engines import wait_until_answering

GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RARE_WORD, COMMON_WORD = "benioff", "customers"
# A misspelt common word: no match, so the page finds the nearest known word's matches.
MISSPELT_WORD = "custmers"
# Articles the uncached article row rotates over, so no one body stays warm.
ROTATE = 1000
# Articles the page-cache-miss row rotates over: their kept parts (three cache entries
# each) fit in a worker's local cache (LocMemCache keeps 300 entries, least recently
# used first out), so it measures a miss with the parts warm.
MISS_ROTATE = 50
# The migrations' seed story, the admin row's fullest article page.
SEED_STORY = "salesforce-staffers-voice-concern-over-contract-with-us-border-control"
# Rounds of the rows measured in turn with the floor (in_turn).
ROUNDS = 3

DISCOVER = """
import json
from django.db.models import Count
from django.utils import timezone
from taggit.models import Tag
from articles.models import Article
from authors.models import Author
live = Article.objects.published()
tag = Tag.objects.annotate(n=Count("articles_taggedarticle_items")).order_by("-n").first()
author = Author.objects.annotate(n=Count("bylines")).order_by("-n").first()
newest = timezone.localtime(live.only("published_at").first().published_at)
print(json.dumps({
    "articles": [a.get_absolute_url() for a in live.only("slug")[:%d]],
    "tag": f"/topics/{tag.slug}/",
    "topic": tag.slug,
    "author": author.get_absolute_url(),
    "archive": f"/archive/{newest.year}/{newest.month:02d}/",
    "archive year": f"/archive/{newest.year}/",
}))
"""

# An editor's session, made as a login makes one, and the articles to open: the newest
# and the migrations' seed story (quotes, citations, disclosures: the fullest page).
EDITOR_SESSION = """
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from articles.models import Article
user, _ = get_user_model().objects.get_or_create(username="bench-editor", is_staff=True)
user.groups.add(Group.objects.get(name="Editor"))
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.save()
print(json.dumps({
    "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
    "admin": "/" + settings.ADMIN_PATH,
    "article": Article.objects.order_by("-pk").values_list("pk", flat=True).first(),
    "seed story": Article.objects.filter(slug=%r).values_list("pk", flat=True).first(),
}))
"""

# Publishing, timed in process: each of the newest stories is taken back to draft, then
# published again through the workflow (checks, revision, recorded disclosures, and the
# work done at commit: its page's stored parts, its search vector). Prints the addresses
# and the milliseconds of each publish.
PUBLISH = """
import json, time
from django.contrib.auth import get_user_model
from articles import services
from articles.models import Article
from reader.views import newest_on_topics
from taggit.models import Tag
user = get_user_model().objects.get(username="bench-editor")
articles = list(Article.objects.published().order_by("-published_at")[:%d])
# The newest stories of their topics, the related stories their pages show, with their
# cards rendered as the home and topic pages' readers would have rendered them long
# before: the demo's scheduled stories go live with no reader, and the first reader
# after a publish would render those cards (the row measures publishing, not that).
topics = Tag.objects.filter(articles_taggedarticle_items__content_object__in=articles)
newest_on_topics(list(topics.values_list("pk", flat=True).distinct()))
done = []
for article in articles:
    services.unpublish(article=article, user=user)
    article = Article.objects.get(pk=article.pk)
    start = time.perf_counter()
    services.publish(article=article, user=user, override_reason="benchmark")
    done.append((article.get_absolute_url(), (time.perf_counter() - start) * 1000))
print(json.dumps(done))
"""
PUBLISHED = 20


@dataclass
class Figures:
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    # The mean throughput of the bare Django floor measured right before and right
    # after this row, when it was: the row's share is of it.
    floor_per_second: float | None = None

    def share(self, floor: Figures) -> float:
        """This row's throughput as a share of the floor measured beside it, or else of
        `floor`."""
        return self.requests_per_second / (self.floor_per_second or floor.requests_per_second)


def missing_tools(plot: bool, engine: str) -> list[str]:
    missing = [tool for tool in ("wrk", "nginx") if not find(tool)]
    if not Path(GUNICORN).is_file():
        missing.append("gunicorn in .venv (make install)")
    if plot:
        with contextlib.suppress(ImportError):
            import matplotlib  # noqa: F401

            return missing
        missing.append("matplotlib (.venv/bin/pip install -r bench/requirements.txt)")
    if (
        engine == "postgres"
        and not shutil.which("pg_config")
        and not Path("/usr/lib/postgresql").exists()
    ):
        missing.append("PostgreSQL server binaries (apt-get install postgresql)")
    return missing


def find(tool: str) -> str | None:
    return shutil.which(tool) or next(
        (str(path) for path in (Path("/usr/sbin") / tool,) if path.is_file()), None
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_rss_mb(master: int) -> float:
    """The largest resident set among the master's children (the workers), in MB."""
    largest = 0
    children = Path(f"/proc/{master}/task/{master}/children")
    with contextlib.suppress(OSError):
        for pid in children.read_text().split():
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                match = re.search(r"VmRSS:\s+(\d+) kB", status)
                largest = max(largest, int(match.group(1)) if match else 0)
    return largest / 1024


class Server:
    """A process on loopback, stopped (by its id) when the block ends; for gunicorn,
    the workers' peak memory is sampled all along."""

    def __init__(self, args: list[str], env: dict[str, str], probe: str, log: Path) -> None:
        self.args, self.env, self.probe, self.log = args, env, probe, log
        self.peak_mb = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> Server:
        # Its output goes to a log file (a long run would fill a pipe), shown if it fails.
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
                self.args, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            wait_until_answering(self.probe, self.process, log=self.log)
        except RuntimeError:
            self.stop()
            raise
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            self.peak_mb = max(self.peak_mb, worker_rss_mb(self.process.pid))

    def stop(self) -> None:
        self._stop.set()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> Server:
    args = [GUNICORN, "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "-w", str(workers)]
    return Server([*args, "newsroom.wsgi"], env, f"http://127.0.0.1:{port}/healthz/", log)


def nginx(folder: Path, port: int) -> Server:
    """nginx serving the article page's bytes as a static file: the machine's floor."""
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""daemon off; worker_processes auto; pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; default_type text/html;
  server {{ listen 127.0.0.1:{port}; root {folder}/www; }} }}
"""
    )
    return Server(
        [find("nginx") or "nginx", "-p", str(folder), "-c", str(conf)],
        {},
        f"http://127.0.0.1:{port}/article.html",
        folder / "nginx-server.log",
    )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    url: str,
    duration: int,
    connections: int,
    paths: list[str] | None,
    folder: Path,
    *,
    unique: str = "",
    cookie: str = "",
) -> Figures:
    """Drive one address (or rotate over paths) and read throughput and percentiles.
    `unique` names a query parameter given a new value on every request: one the page
    cache does not know ("miss") makes each request a miss while the kept parts stay
    warm; a tracking one ("fbclid") is what a story shared on Facebook gets. `cookie`
    is sent with every request (an editor's session)."""
    # A 30 s timeout: slow answers are counted, not dropped (wrk's default is 2 s).
    threads = min(2, connections)  # wrk needs a connection per thread
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s"]
    args.append("--latency")
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    # wrk prints p50/p75/p90/p99; the search goal is a p95.
    lua = (
        "done = function(summary, latency, requests)\n"
        '  io.write("p95 " .. latency:percentile(95) .. "\\n")\nend\n'
    )
    if paths:
        suffix = f' .. "?{unique}=" .. id .. "-" .. i' if unique else ""
        lua += (
            f"local paths = {{{', '.join(json.dumps(path) for path in paths)}}}\n"
            "local threads = 0\n"
            "function setup(thread)\n  threads = threads + 1\n"
            '  thread:set("id", threads)\nend\n'
            "local i = 0\n"
            "request = function()\n  i = i + 1\n"
            f'  return wrk.format("GET", paths[i % #paths + 1]{suffix})\nend\n'
        )
    script = folder / "wrk.lua"
    script.write_text(lua)
    args += ["-s", str(script)]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx" in out:
        raise RuntimeError(f"{url}: some answers were not 2xx:\n{out}")

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            raise RuntimeError(f"no {percent}% latency in wrk output:\n{out}")
        return float(match.group(1)) * _UNITS[match.group(2)]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p95 = re.search(r"^p95 ([\d.]+)$", out, re.M)
    return Figures(
        float(rate.group(1)) if rate else 0.0,
        latency("50"),
        float(p95.group(1)) / 1000 if p95 else float("nan"),
        latency("99"),
    )


def in_turn(loads: dict[str, Callable[[], Figures]]) -> dict[str, Figures]:
    """Each load ROUNDS times, taking turns, and its median round by throughput. Rows
    compared with each other (a page and its floor) meet the same moments of a shared
    machine, not moments a minute or two apart: measured apart, the cached page's share
    of the floor swung from 0.76 to 1.17 between runs at 1,000 articles."""
    rounds: dict[str, list[Figures]] = {label: [] for label in loads}
    for _ in range(ROUNDS):
        for label, run in loads.items():
            rounds[label].append(run())
    return {
        label: sorted(measured, key=lambda figures: figures.requests_per_second)[ROUNDS // 2]
        for label, measured in rounds.items()
    }


def beside_floor(
    loads: dict[str, Callable[..., Figures]], floor: Callable[[], Figures]
) -> dict[str, Figures]:
    """Each load between two measures of the floor, and its figures with their mean
    throughput: the uncached rows take minutes in all, and a shared machine's speed
    drifts over minutes, so a share of a floor measured once, apart, says more of the
    machine than of the page; one measure right before a row still moved by half
    between rows (docs/performance.md). Each load is first run for a second, not
    measured: the workers' kept parts (page_cache.kept_each_for_site) last 10 s on the
    benchmark's per-process cache, and after the floor's run every worker would make
    them all again in the row's first moments, a start no reader under steady load
    meets."""
    measured = {}
    before = floor().requests_per_second
    for label, run in loads.items():
        run(duration=1)
        figures = run()
        after = floor().requests_per_second
        measured[label] = dataclasses.replace(figures, floor_per_second=(before + after) / 2)
        before = after
    return measured


def editor_rows(env: dict[str, str], port: int, load: Callable[..., Figures]) -> dict[str, Figures]:
    """An editor at work, one request at a time (what the editor waits for): the admin's
    article list and the article page of the newest article and of the seed story."""
    out = manage(env, "shell", "-c", EDITOR_SESSION % SEED_STORY)
    editor = json.loads(out.strip().splitlines()[-1])
    articles_admin = f"{editor['admin']}articles/article/"
    paths = {
        "admin article list (editor), one at a time": articles_admin,
        "admin article page (editor), one at a time": (
            f"{articles_admin}{editor['article']}/change/"
        ),
        "admin article page, seed story (editor), one at a time": (
            f"{articles_admin}{editor['seed story']}/change/"
        ),
    }
    # A first request each loads the templates and the workers' caches; then the rows.
    for path in paths.values():
        load(port, path, connections=1, cookie=editor["cookie"], duration=2)
    return {
        label: load(port, path, connections=1, cookie=editor["cookie"])
        for label, path in paths.items()
    }


def sampled(milliseconds: list[float]) -> Figures:
    """Figures of one-at-a-time samples: their rate and percentiles."""
    ordered = sorted(milliseconds)

    def percentile(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return Figures(
        requests_per_second=1000 * len(ordered) / sum(ordered),
        p50_ms=percentile(0.5),
        p95_ms=percentile(0.95),
        p99_ms=percentile(0.99),
    )


def publish_rows(
    env: dict[str, str], port: int, warm: Callable[[list[str]], object]
) -> dict[str, Figures]:
    """An editor publishing stories one after another (timed in process), and the first
    reader of each story after its publish beside the next one (through the server).
    Before the readers, `warm` loads other pages for a second, so each worker's kept
    parts are made, as beside_floor's rows start: the publishes happen in another
    process, and the rows before took longer than the parts live."""
    published = json.loads(manage(env, "shell", "-c", PUBLISH % PUBLISHED).strip().splitlines()[-1])
    warm([path for path, _ in published])
    first, next_ = [], []
    for path, _ in published:
        for times in (first, next_):
            start = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read()
            times.append((time.perf_counter() - start) * 1000)
    return {
        "publish (in process), one at a time": sampled([ms for _, ms in published]),
        "article, first request after its publish": sampled(first),
        "article, the request after that": sampled(next_),
    }


def measure_size(
    args: argparse.Namespace, articles: int
) -> tuple[dict[str, Figures], dict[str, float]]:
    """Every row of the table for one archive size, and the workers' peak memory."""
    rows: dict[str, Figures] = {}
    memory: dict[str, float] = {}
    with temporary_folder() as name:
        folder = Path(name)
        folder.chmod(0o755)  # nginx's workers read the page from here
        with (
            contextlib.nullcontext(args.database_url)
            if args.database_url
            else seeded_database(args.database, articles, folder)
        ) as url:
            env = production_env(url, folder)
            manage(env, "collectstatic", "--no-input", "-v", "0")

            def load(
                port: int,
                path: str,
                rotate: list[str] | None = None,
                *,
                unique: str = "",
                duration: int = args.duration,
                connections: int = args.connections,
                cookie: str = "",
            ) -> Figures:
                return wrk(
                    f"http://127.0.0.1:{port}{path}",
                    duration,
                    connections,
                    rotate,
                    folder,
                    unique=unique,
                    cookie=cookie,
                )

            if args.only == "admin":
                port = free_port()
                admin_env = {**env, "PAGE_CACHE_SECONDS": "0"}
                with gunicorn(admin_env, port, args.workers, folder / "admin.log") as server:
                    rows.update(editor_rows(env, port, load))
                    memory["page cache off"] = server.peak_mb
                return rows, memory
            out = manage(env, "shell", "-c", DISCOVER % ROTATE)
            found = json.loads(out.strip().splitlines()[-1])
            article = found["articles"][0]
            port = free_port()
            cached = gunicorn(
                {**env, "PAGE_CACHE_SECONDS": "600"}, port, args.workers, folder / "cached.log"
            )
            with cached as server:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}{article}").read()
                (folder / "www").mkdir()
                (folder / "www" / "article.html").write_bytes(page)
                (folder / "www").chmod(0o755)
                floor_port = free_port()
                floor_env = {
                    **env,
                    "DJANGO_SETTINGS_MODULE": "bench.floor_settings",
                    "PAGE_CACHE_SECONDS": "0",
                    "FLOOR_PAGE": str(folder / "www" / "article.html"),
                }
                with gunicorn(floor_env, floor_port, args.workers, folder / "floor.log"):
                    # Each worker caches in its own memory: a first pass has every one
                    # render the page once; the rounds are measured.
                    load(port, article, duration=2)
                    # The floor in turn with the cached page, whose goal is a share of
                    # it (a story going viral on Facebook: every click carries its own
                    # fbclid, and every one is the page cached already).
                    rows.update(
                        in_turn(
                            {
                                "floor: bare Django view": lambda: load(floor_port, "/floor/"),
                                "article (cached)": lambda: load(port, article),
                                "article (cached, each with its own fbclid)": lambda: load(
                                    port, article, [article], unique="fbclid"
                                ),
                            }
                        )
                    )
                # Page-cache misses with the parts kept (body, related stories, structured
                # data), over few enough articles that every worker's local cache holds
                # them: a first pass warms them, the second is measured.
                missed = found["articles"][:MISS_ROTATE]
                load(port, article, missed, unique="miss", duration=3)
                rows["article (page-cache miss)"] = load(port, article, missed, unique="miss")
                memory["page cache on"] = server.peak_mb
            port = free_port()
            uncached = gunicorn(
                {**env, "PAGE_CACHE_SECONDS": "0"}, port, args.workers, folder / "uncached.log"
            )
            with uncached as server:
                listings = {
                    "home": "/",
                    "tag": found["tag"],
                    "author": found["author"],
                    "archive (month)": found["archive"],
                    "archive (year)": found["archive year"],
                    "archive (index)": "/archive/",
                    "search (rare word)": f"/search/?q={RARE_WORD}",
                    "search (common word)": f"/search/?q={COMMON_WORD}",
                    "search (common word, topic, kind, by date)": (
                        f"/search/?q={COMMON_WORD}&topic={found['topic']}&kind=analysis&sort=date"
                    ),
                    "search (misspelt word)": f"/search/?q={MISSPELT_WORD}",
                }
                # Each page the rows read is read once first, as readers had read them
                # before: the rows measure pages whose parts are stored (reader.fragments),
                # not their first renders, which render_pages would do for the whole
                # archive (about an hour at 1,000,000 articles).
                start = time.perf_counter()
                for path in [*found["articles"], *listings.values()]:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read()
                print(f"pages read once first: {time.perf_counter() - start:.0f} s", flush=True)
                floor_port = free_port()
                with gunicorn(floor_env, floor_port, args.workers, folder / "floor-2.log"):
                    rows.update(
                        beside_floor(
                            {
                                "article (uncached)": functools.partial(
                                    load, port, article, found["articles"]
                                ),
                                **{
                                    label: functools.partial(load, port, path)
                                    for label, path in listings.items()
                                },
                            },
                            lambda: load(floor_port, "/floor/"),
                        )
                    )
                # A reader's wait for an answer, not a queue's: one request at a time.
                for label, path in listings.items():
                    rows[f"{label}, one at a time"] = load(port, path, connections=1)
                rows["RSS feed"] = load(port, "/feed/")
                rows["sitemap"] = load(port, "/sitemap-articles.xml")
                rows.update(editor_rows(env, port, load))
                rows.update(
                    publish_rows(
                        env,
                        port,
                        lambda published: load(
                            port,
                            article,
                            [path for path in found["articles"] if path not in published],
                            duration=1,
                        ),
                    )
                )
                memory["page cache off"] = server.peak_mb
            # The floors close the table.
            rows["floor: bare Django view"] = rows.pop("floor: bare Django view")
            port = free_port()
            with nginx(folder, port):
                rows["floor: nginx static file"] = load(port, "/article.html")
    return rows, memory


def load_results(path: Path | None) -> dict[int, dict[str, Figures]]:
    if path is None or not path.is_file():
        return {}
    stored = json.loads(path.read_text())
    return {
        int(size): {page: Figures(**figures) for page, figures in rows.items()}
        for size, rows in stored.items()
    }


def save_results(path: Path, results: dict[int, dict[str, Figures]]) -> None:
    stored = {
        size: {page: dataclasses.asdict(figures) for page, figures in rows.items()}
        for size, rows in sorted(results.items())
    }
    path.write_text(json.dumps(stored, indent=1) + "\n")


def table(articles: int, rows: dict[str, Figures]) -> str:
    # The floors are not measured with --only admin: their columns are then empty.
    floors = [rows.get(f"floor: {name}") for name in ("bare Django view", "nginx static file")]
    lines = [
        f"### {articles:,} articles",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | × Django floor | × nginx floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, figures in rows.items():
        rate = figures.requests_per_second
        django, nginx = floors
        shares = [
            f"{figures.share(django):.2f}" if django else "",
            f"{rate / nginx.requests_per_second:.3f}" if nginx else "",
        ]
        lines.append(
            f"| {name} | {rate:,.0f} | {figures.p50_ms:.1f} | {figures.p95_ms:.1f} "
            f"| {figures.p99_ms:.1f} | {' | '.join(shares)} |"
        )
    beside = [f.floor_per_second for f in rows.values() if f.floor_per_second is not None]
    if beside:
        lines += [
            "",
            "The uncached rows under load are shares of the bare Django floor measured right "
            "before and after each (their mean): "
            f"{min(beside):,.0f}-{max(beside):,.0f} req/s.",
        ]
    return "\n".join(lines)


# The rows the throughput panel draws: each page with the page cache off, under load.
UNCACHED_ROWS = (
    "article (uncached)",
    "home",
    "tag",
    "author",
    "archive (month)",
    "search (rare word)",
    "search (common word)",
)
# The goals for those rows, as shares of the bare Django floor.
GOALS = {"article": 0.2, "listings": 0.1, "search": 0.05}


def plot(results: dict[int, dict[str, Figures]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results)
    colours = plt.get_cmap("tab20").colors
    figure, (share, *latencies) = plt.subplots(1, 3, figsize=(21, 6), layout="constrained")
    # Throughput as a share of the floor measured in the same run, so runs on a busier
    # or quieter machine compare.
    for index, page in enumerate(UNCACHED_ROWS):
        shares = [
            results[size][page].share(results[size]["floor: bare Django view"])
            if page in results[size] and "floor: bare Django view" in results[size]
            else float("nan")
            for size in sizes
        ]
        share.plot(sizes, shares, marker="o", color=colours[index % len(colours)], label=page)
    for name, goal in GOALS.items():
        share.axhline(goal, linestyle="--", color="grey", linewidth=0.8)
        share.annotate(f"goal: {name}", (sizes[0], goal), fontsize="small", va="bottom")
    share.set_xscale("log")
    share.set_xlabel("articles in the archive")
    share.set_title("uncached throughput, × the bare Django floor")
    share.grid(True, which="both", alpha=0.3)
    share.legend(fontsize="small")
    pages = [page for page in results[sizes[-1]] if all(page in results[s] for s in sizes)]
    for axis, (label, attribute) in zip(
        latencies, (("p50", "p50_ms"), ("p99", "p99_ms")), strict=True
    ):
        for index, page in enumerate(pages):
            axis.plot(
                sizes,
                # A row that answered nothing in time has no latency to draw.
                [getattr(results[size][page], attribute) or float("nan") for size in sizes],
                # More rows than colours: a colour's second row has another marker.
                marker="os^D"[index // len(colours) % 4],
                color=colours[index % len(colours)],
                label=page,
            )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("articles in the archive")
        axis.set_title(f"{label} latency (ms)")
        axis.grid(True, which="both", alpha=0.3)
    latencies[1].sharey(latencies[0])
    figure.legend(*latencies[0].get_legend_handles_labels(), loc="outside right", fontsize="small")
    figure.savefig(path, dpi=100)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="Archive size (seed_demo).")
    parser.add_argument("--sizes", help="Several archive sizes, comma-separated (for --plot).")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per row.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--plot", type=Path, help="Draw p50/p99 against size to this PNG.")
    parser.add_argument(
        "--only",
        choices=["admin"],
        help="Measure only these rows: 'admin' is the editor's (the admin's article list "
        "and article pages, one request at a time), without the reader pages and floors.",
    )
    parser.add_argument(
        "--database-url",
        help="Measure this database, seeded already with --articles articles (seed_demo, "
        "then VACUUM ANALYZE), instead of seeding a throwaway one: a million articles "
        "take long to seed on a small machine.",
    )
    parser.add_argument(
        "--results",
        type=Path,
        help="Keep each size's figures in this JSON file, with those of earlier runs; "
        "--plot then draws every size in it.",
    )
    args = parser.parse_args(argv)
    stop_cleanly_on_sigterm()
    sizes = [int(size) for size in args.sizes.split(",")] if args.sizes else [args.articles]
    if args.database_url and len(sizes) > 1:
        parser.error("--database-url measures one size")
    missing = missing_tools(bool(args.plot), args.database)
    if missing:
        print("Missing: " + "; ".join(missing), file=sys.stderr)
        return 2
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, as make does
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    # A database given by its URL is named by its scheme (postgres://...).
    engine = args.database_url.split(":", 1)[0] if args.database_url else args.database
    print(
        f"# Newsroom benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}, commit {commit}, "
        f"{os.cpu_count()} cores, {engine}, {args.workers} gunicorn workers, "
        f"wrk {args.connections} connections x {args.duration} s per row\n",
        flush=True,
    )
    results = load_results(args.results)
    for size in sizes:
        results[size], memory = measure_size(args, size)
        print(table(size, results[size]))
        if args.results:
            save_results(args.results, results)
        peaks = ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items())
        print(f"\nPeak gunicorn worker memory (RSS): {peaks}\n", flush=True)
    if args.plot:
        plot(results, args.plot)
        print(f"Plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
