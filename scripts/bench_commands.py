#!/usr/bin/env python3
"""Benchmark the staff commands; prints figures, asserts nothing.

On a fresh SQLite file, and on a throwaway PostgreSQL cluster when the server binaries
are installed (as scripts/run_tests.py finds them):

1. seed_demo --articles N: wall time and articles per second;
2. export_articles of everything: time, file size, peak memory;
3. import_articles of exports of M and 10*M articles into empty databases: time and
   peak memory, which should not grow with the file (the importer streams).

Usage: scripts/bench_commands.py [--articles N] [--import-articles M] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_tests import find_pg_bindir, postgres_cluster, stop_cleanly_on_sigterm

ROOT = Path(__file__).resolve().parent.parent
SEED_SLUG = '"slug": "salesforce-staffers-voice-concern-over-contract-with-us-border-control"'


def manage(database_url: str, media: Path, *args: str) -> tuple[float, float]:
    """Run manage.py; return (seconds, peak resident memory in MB) of that process alone,
    and print its CPU time (on a shared machine, wall time also counts the waiting)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "true",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
    }
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args, "-v", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"manage.py {' '.join(args)} failed")
    print(f"  ({args[0]}: {usage.ru_utime + usage.ru_stime:.1f} s of CPU in Python)", flush=True)
    return seconds, usage.ru_maxrss / 1024


def write_part(export: Path, part: Path, articles: int) -> None:
    """The export's authors and images with its first `articles` articles, streamed: this
    process stays small, since a child's peak memory counts what it had at fork time."""
    written = 0
    with export.open(encoding="utf-8") as source, part.open("w", encoding="utf-8") as target:
        for line in source:
            is_article = '"type": "article"' in line
            # The seeded story is in every migrated database already (under another uid).
            if is_article and (SEED_SLUG in line or written >= articles):
                continue
            written += is_article
            target.write(line)


def bench(label: str, make_url, articles: int, import_articles: int, folder: Path) -> None:
    print(f"\n== {label}", flush=True)
    media = folder / f"media-{label}"
    source = make_url("source")
    manage(source, media, "migrate", "--no-input")
    seconds, _ = manage(source, media, "seed_demo", "--articles", str(articles), "--authors", "200")
    print(
        f"seed_demo {articles:,} articles: {seconds:.1f} s ({articles / seconds:,.0f} articles/s)"
    )
    export = folder / f"{label}.jsonl"
    seconds, peak = manage(
        source,
        media,
        "export_articles",
        "-o",
        str(export),
        "--media-dir",
        str(folder / "export-media"),
    )
    size = export.stat().st_size / 1e6
    print(
        f"export_articles {articles:,} articles: {seconds:.1f} s, {size:.0f} MB, peak {peak:.0f} MB"
    )
    for count in (import_articles, 10 * import_articles):
        part = folder / f"{label}-{count}.jsonl"
        write_part(export, part, count)
        target = make_url(f"import{count}")
        manage(target, media, "migrate", "--no-input")
        seconds, peak = manage(
            target, media, "import_articles", str(part), "--media-dir", str(folder / "export-media")
        )
        print(
            f"import_articles {count:,} articles ({part.stat().st_size / 1e6:.0f} MB) "
            f"into an empty database: {seconds:.1f} s, peak {peak:.0f} MB"
        )


def main() -> None:
    stop_cleanly_on_sigterm()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--import-articles", type=int, default=1_000)
    parser.add_argument("--sqlite-only", action="store_true")
    options = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; peak = the process's max RSS")
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as name:
        folder = Path(name)
        bench(
            "SQLite",
            lambda db: f"sqlite:///{folder / db}.sqlite3",
            options.articles,
            options.import_articles,
            folder,
        )
        bindir = None if options.sqlite_only else find_pg_bindir()
        if bindir is None:
            print("\n(PostgreSQL skipped)")
            return
        with postgres_cluster(bindir) as url:
            import psycopg

            def database(db: str) -> str:
                with psycopg.connect(
                    url.replace("postgres://", "postgresql://"), autocommit=True
                ) as conn:
                    conn.execute(f'CREATE DATABASE "{db}"')
                return url.rsplit("/", 1)[0] + f"/{db}"

            bench("PostgreSQL", database, options.articles, options.import_articles, folder)


if __name__ == "__main__":
    main()
