#!/usr/bin/env python3
"""Soak test: the site under a mixed workload for minutes, then a
check against the database that nothing was lost or doubled.

Bounded and on loopback only: a throwaway database (SQLite file, or with
`--database postgres` a private PostgreSQL cluster on a Unix socket), seeded by
`migrate` and `seed_demo`, served by gunicorn with the production settings
(gunicorn.conf.py), all made and removed as `make bench` does (bench/database.py,
bench/run.py). Then, for --minutes (or --seconds):

- reader threads fetch every kind of public page: home, articles, topics, authors,
  archives, search, feeds, sitemaps, quotes and speakers, organisations and
  disclosures, policy pages, corrections;
- editor threads log in to the admin with the Editor role, save new articles (each
  save carries a unique marker in its headline and body) and publish each through
  the workflow page.

It prints requests, errors by status, and p50/p95/p99 latency per kind of page, then
checks the database: every save the site acknowledged is there exactly once with its
marker, every acknowledged publish is published, no marker is there twice. Exit status
1 on any 5xx answer, a lost or doubled save, or a save refused (or none made at all);
0 otherwise.

    .venv/bin/python scripts/soak.py                       # 10 minutes on SQLite
    .venv/bin/python scripts/soak.py --database postgres --report soak.txt
    .venv/bin/python scripts/soak.py --seconds 20          # a smoke run
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.database import (
    manage,
    production_env,
    seeded_database,
    temporary_folder,
)
from bench.run import free_port, gunicorn

PASSWORD = "soak-editor-password-0"  # noqa: S105 - a throwaway database's account
MARKER = "soak"

# Editors with the Editor role, and the public addresses of every kind of page.
SETUP = """
import json
from django.contrib.auth.models import Group, User
from taggit.models import Tag
from articles.models import Article
from disclosures.models import Organisation
from quotes.models import Quote, Speaker
from authors.models import Author
from pages.models import POLICIES
editors = Group.objects.get(name="Editor")
for n in range(%(editors)d):
    user = User.objects.create_user(f"editor-{n}", password="%(password)s", is_staff=True)
    user.groups.add(editors)
live = Article.objects.published()
quotes = Quote.objects.published().select_related("article", "speaker")[:100]
months = live.dates("published_at", "month", order="DESC")[:12]
tags = Tag.objects.filter(articles_taggedarticle_items__content_object__in=live).distinct()
authors = Author.objects.filter(bylines__article__in=live).distinct()
print(json.dumps({
    "home": ["/", "/?page=2"],
    "article": [a.get_absolute_url() for a in live.only("slug")[:300]],
    "topic": [f"/topics/{t.slug}/" for t in tags[:50]],
    "author": [a.get_absolute_url() for a in authors[:50]],
    "archive": ["/archive/"] + [f"/archive/{m:%%Y}/" for m in months]
        + [f"/archive/{m:%%Y/%%m}/" for m in months],
    "search": [f"/search/?q={w}" for w in ("salesforce", "cloud", "customers", "data", "zz")],
    "feed": ["/feed/", "/feed/atom/", "/corrections/feed/"]
        + [f"/topics/{t.slug}/feed/" for t in tags[:10]]
        + [f"{a.get_absolute_url()}feed/" for a in authors[:10]],
    "sitemap": ["/sitemap.xml", "/sitemap-articles.xml", "/sitemap-authors.xml",
                "/sitemap-topics.xml", "/news-sitemap.xml", "/robots.txt"],
    "quote": [q.get_absolute_url() for q in quotes]
        + sorted({q.speaker.get_absolute_url() for q in quotes}),
    "disclosure": ["/disclosures/"]
        + [o.get_absolute_url() for o in Organisation.objects.all()[:20]],
    "page": [f"/about/{p.slug}/" for p in POLICIES] + ["/corrections/"],
    "author_id": Author.objects.order_by("pk").first().pk,
    "speaker_id": Speaker.objects.order_by("pk").first().pk,
}))
"""

# What the database holds of the editors' work: marker -> [status of each row].
CHECK = """
import json
from articles.models import Article
rows = Article.objects.filter(headline__startswith="%(marker)s ").values_list("headline", "status")
found = {}
for headline, status in rows:
    found.setdefault(headline.split()[1], []).append(status)
print(json.dumps(found))
"""


@dataclass
class Tally:
    """Requests by kind: statuses and latencies (seconds); shared by the threads."""

    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, url: str, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[kind][status] += 1
            self.latencies[kind].append(seconds)
            if status >= 500:
                self.server_errors.append(f"{status} {url}")


@dataclass
class Saves:
    """What the site acknowledged to the editors, by marker."""

    saved: set[str] = field(default_factory=set)
    published: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def request(
    opener: urllib.request.OpenerDirector,
    tally: Tally,
    kind: str,
    url: str,
    data: dict[str, object] | None = None,
) -> tuple[int, str, str]:
    """(status, body, final URL after redirects), timed and counted under `kind`."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    started = time.perf_counter()
    try:
        with opener.open(url, data=body, timeout=60) as response:
            status, text, final = response.status, response.read().decode(), response.geturl()
    except urllib.error.HTTPError as error:
        status, text, final = error.code, error.read().decode(errors="replace"), url
    except OSError as error:  # refused or reset: counted as a server error
        status, text, final = 599, str(error), url
    tally.add(kind, url, status, time.perf_counter() - started)
    return status, text, final


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return match.group(1) if match else ""


class Reader(threading.Thread):
    def __init__(self, base: str, pages: dict[str, list[str]], until: float, tally: Tally,
                 seed: int, think: float) -> None:  # fmt: skip
        super().__init__(daemon=True)
        self.base, self.pages, self.until, self.tally = base, pages, until, tally
        self.random, self.think = random.Random(seed), think  # noqa: S311 - not security
        self.opener = urllib.request.build_opener()

    def run(self) -> None:
        kinds = sorted(kind for kind, urls in self.pages.items() if urls)
        while time.monotonic() < self.until:
            kind = self.random.choice(kinds)
            url = self.random.choice(self.pages[kind])
            request(self.opener, self.tally, kind, self.base + url)
            time.sleep(self.think)


class Editor(threading.Thread):
    """Logs in, then saves a new article with a unique marker and publishes it,
    again and again."""

    def __init__(self, base: str, number: int, found: dict, until: float, tally: Tally,
                 saves: Saves, think: float) -> None:  # fmt: skip
        super().__init__(daemon=True)
        self.base, self.number, self.found, self.until = base, number, found, until
        self.tally, self.saves, self.think = tally, saves, think
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def run(self) -> None:
        _, page, _ = request(self.opener, self.tally, "admin", f"{self.base}/admin/login/")
        form = {"username": f"editor-{self.number}", "password": PASSWORD,
                "csrfmiddlewaretoken": csrf_token(page)}  # fmt: skip
        request(self.opener, self.tally, "admin", f"{self.base}/admin/login/?next=/admin/", form)
        while time.monotonic() < self.until:
            marker = f"{MARKER}{self.number}x{uuid.uuid4().hex[:12]}"
            article_id = self.save(marker)
            if article_id is not None:
                self.publish(marker, article_id)
            time.sleep(self.think)

    def save(self, marker: str) -> str | None:
        add = f"{self.base}/admin/articles/article/add/"
        _, page, _ = request(self.opener, self.tally, "admin", add)
        article = {
            "csrfmiddlewaretoken": csrf_token(page), "_continue": "1",
            "headline": f"{MARKER.title()} {marker} headline", "slug": marker, "kind": "news",
            "standfirst": "Written by the soak test.",
            "body": f"Marker {marker}.\n\n[[quote:q]]\n\nThe end.", "tags": "Soak",
            "embargo_until_0": "", "embargo_until_1": "", "embargo_by": "", "embargo_note": "",
            "update_reason": "",
            "bylines-TOTAL_FORMS": 1, "bylines-INITIAL_FORMS": 0,
            "bylines-0-author": self.found["author_id"], "bylines-0-position": 0,
            "quotes-TOTAL_FORMS": 1, "quotes-INITIAL_FORMS": 0, "quotes-0-key": "q",
            "quotes-0-text": f"Words of {marker}", "quotes-0-speaker": self.found["speaker_id"],
            "quotes-0-source_kind": "statement", "quotes-0-position": 0,
            "corrections-TOTAL_FORMS": 0, "corrections-INITIAL_FORMS": 0,
            "citations-TOTAL_FORMS": 0, "citations-INITIAL_FORMS": 0,
            "own_disclosures-TOTAL_FORMS": 0, "own_disclosures-INITIAL_FORMS": 0,
        }  # fmt: skip
        status, _, final = request(self.opener, self.tally, "admin save", add, article)
        saved = re.search(r"/admin/articles/article/(\d+)/change/$", final)
        with self.saves.lock:
            if status == 200 and saved:
                self.saves.saved.add(marker)
                return saved.group(1)
            self.saves.failed.append(f"save {marker}: {status} at {final}")
        return None

    def publish(self, marker: str, article_id: str) -> None:
        url = f"{self.base}/admin/articles/article/{article_id}/workflow/publish/"
        _, page, _ = request(self.opener, self.tally, "admin", url)
        form = {"csrfmiddlewaretoken": csrf_token(page), "publish_at": "", "override_reason": ""}
        status, _, final = request(self.opener, self.tally, "admin publish", url, form)
        with self.saves.lock:
            if status == 200 and final.endswith(f"/article/{article_id}/change/"):
                self.saves.published.add(marker)
            else:
                self.saves.failed.append(f"publish {marker}: {status} at {final}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(
    tally: Tally, saves: Saves, found: dict[str, list[str]], header: str
) -> tuple[str, bool]:
    """The report's text, and whether the run passed."""
    lines = [
        header,
        "",
        f"{'kind':<14}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}",
    ]
    total: Counter[int] = Counter()
    for kind in sorted(tally.statuses):
        statuses, latencies = tally.statuses[kind], tally.latencies[kind]
        total += statuses
        errors = sum(n for status, n in statuses.items() if status >= 400)
        p50, p95, p99 = (percentile(latencies, q) * 1000 for q in (0.50, 0.95, 0.99))
        lines.append(
            f"{kind:<14}{sum(statuses.values()):>9,}{errors:>8,}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}"
        )
    server_errors = sum(n for status, n in total.items() if status >= 500)
    by_status = ", ".join(f"{status}: {n:,}" for status, n in sorted(total.items()))
    lines += ["", f"Requests: {sum(total.values()):,} (by status: {by_status})",
              f"5xx: {server_errors}"]  # fmt: skip
    lost = sorted(m for m in saves.saved if m not in found)
    doubled = sorted(m for m, rows in found.items() if len(rows) > 1)
    unpublished = sorted(m for m in saves.published if "published" not in found.get(m, []))
    unacknowledged = sorted(set(found) - saves.saved)
    lines += [
        f"Saves acknowledged: {len(saves.saved):,}; in the database: {len(found):,}; "
        f"lost: {len(lost)}; duplicated: {len(doubled)}",
        f"Publishes acknowledged: {len(saves.published):,}; not published in the database: "
        f"{len(unpublished)}",
        f"Saves refused or failed: {len(saves.failed)}; in the database without an "
        f"acknowledgement: {len(unacknowledged)}",
    ]
    for problem in [*tally.server_errors[:10], *saves.failed[:10], *lost[:10], *doubled[:10]]:
        lines.append(f"  {problem}")
    # A run whose editors saved nothing, or had saves refused, proved nothing about saves.
    passed = not (server_errors or lost or doubled or unpublished or saves.failed)
    passed = passed and bool(saves.saved)
    lines.append(f"Result: {'PASS' if passed else 'FAIL'}")
    return "\n".join(lines), passed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--minutes", type=float, default=10, help="How long (default 10).")
    parser.add_argument("--seconds", type=float, help="How long, in seconds (overrides --minutes).")
    parser.add_argument("--articles", type=int, default=500, help="seed_demo articles first.")
    parser.add_argument("--readers", type=int, default=4, help="Reader threads.")
    parser.add_argument("--editors", type=int, default=2, help="Editor threads.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--threads", type=int, default=4, help="Threads per gunicorn worker.")
    parser.add_argument("--think", type=float, default=0.02, help="Readers' pause (seconds).")
    parser.add_argument("--report", type=Path, help="Also write the report to this file.")
    args = parser.parse_args(argv)
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    with temporary_folder() as name:
        folder = Path(name)
        with seeded_database(args.database, args.articles, folder) as url:
            # Plain HTTP on loopback: cookies without the Secure flag, or no login works.
            env = production_env(
                url,
                folder,
                GUNICORN_THREADS=str(args.threads),
                SESSION_COOKIE_SECURE="false",
                CSRF_COOKIE_SECURE="false",
            )
            manage(env, "collectstatic", "--no-input", "-v", "0")
            setup = SETUP % {"editors": args.editors, "password": PASSWORD}
            found = json.loads(manage(env, "shell", "-c", setup).strip().splitlines()[-1])
            pages = {k: v for k, v in found.items() if isinstance(v, list)}
            port, log = free_port(), folder / "gunicorn.log"
            tally, saves = Tally(), Saves()
            print(f"Soak: {seconds:.0f} s on {args.database}, {args.readers} readers, "
                  f"{args.editors} editors ...", flush=True)  # fmt: skip
            with gunicorn(env, port, args.workers, log=log):
                base = f"http://127.0.0.1:{port}"
                until = time.monotonic() + seconds
                threads: list[threading.Thread] = [
                    Reader(base, pages, until, tally, seed, args.think)
                    for seed in range(args.readers)
                ]
                threads += [
                    Editor(base, n, found, until, tally, saves, args.think * 10)
                    for n in range(args.editors)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            stored = json.loads(
                manage(env, "shell", "-c", CHECK % {"marker": MARKER.title()})
                .strip()
                .splitlines()[-1]
            )
            header = (
                f"Soak on {args.database}: {seconds:.0f} s, {args.readers} readers, "
                f"{args.editors} editors, gunicorn {args.workers} workers x {args.threads} "
                f"threads, {args.articles:,} seeded articles"
            )
            text, passed = report(tally, saves, stored, header)
            if not passed:
                text += "\n\nLast lines of the gunicorn log:\n" + "\n".join(
                    log.read_text(errors="replace").splitlines()[-40:]
                )
    print(text)
    if args.report:
        args.report.write_text(text + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
