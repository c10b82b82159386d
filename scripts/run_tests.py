#!/usr/bin/env python3
"""Run the whole test suite on SQLite, then on a throwaway PostgreSQL cluster.

The cluster is made from the PostgreSQL server binaries (initdb, pg_ctl found
on PATH, through `pg_config --bindir`, or under /usr/lib/postgresql), listens
only on a Unix socket in a temporary folder, and is removed afterwards.
Without server binaries the PostgreSQL run is skipped with a clear message,
except under CI=true, where it is required.

Usage: scripts/run_tests.py [--sqlite-only | --postgres-only] [pytest arguments...]
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def find_pg_bindir() -> Path | None:
    candidates = []
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).parent)
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout
        candidates.append(Path(out.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def stop_cleanly_on_sigterm() -> None:
    """A SIGTERM (kill, a timeout) ends the run as Ctrl-C does: by an exception, so each
    context manager stops its server and removes its cluster and folders (killed by TERM,
    Python runs no `finally` and the cluster was left running)."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _as_cluster_owner() -> tuple[list[str], int | None, int | None]:
    """initdb refuses to run as root: run the cluster as an unprivileged user."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            user = pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"], user.pw_uid, user.pw_gid
    sys.exit("Running as root and no 'postgres' or 'nobody' user exists to own the test cluster.")


@contextlib.contextmanager
def postgres_cluster(bindir: Path) -> Iterator[str]:
    """Start a private cluster; yield its DATABASE_URL; stop and delete it."""
    prefix, uid, gid = _as_cluster_owner()
    folder = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
    data = folder / "data"
    try:
        if uid is not None and gid is not None:
            os.chown(folder, uid, gid)
        subprocess.run(
            [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "newsroom", "-A", "trust"]
            + ["-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = f"-k {folder} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        try:
            # Inside the try: a SIGTERM while pg_ctl waits for the server must stop it too.
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", options]
                + ["-l", str(folder / "server.log"), "-w", "start"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            # A percent-encoded host is a Unix socket folder to dj-database-url.
            yield f"postgres://newsroom@{quote(str(folder), safe='')}/postgres"
        finally:
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                stdout=subprocess.DEVNULL,
                check=False,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def pytest(label: str, database_url: str, args: list[str]) -> int:
    print(f"\n=== Tests on {label} ===", flush=True)
    env = {**os.environ, "DATABASE_URL": database_url, "TEST_DATABASE_LABEL": label}
    return subprocess.run(
        [PYTHON, "-m", "pytest", *args], cwd=ROOT, env=env, check=False
    ).returncode


def main(argv: list[str]) -> int:
    stop_cleanly_on_sigterm()
    sqlite = "--postgres-only" not in argv
    postgres = "--sqlite-only" not in argv
    args = [arg for arg in argv if arg not in ("--sqlite-only", "--postgres-only")]
    failures = []
    if sqlite and pytest("SQLite", "sqlite:///:memory:", args) != 0:
        failures.append("SQLite")
    if postgres:
        bindir = find_pg_bindir()
        if bindir is None:
            message = (
                "PostgreSQL server binaries (initdb, pg_ctl) were not found: "
                "install Debian's 'postgresql' package to run the PostgreSQL half of the suite."
            )
            if os.environ.get("CI", "").lower() == "true":
                print(f"ERROR: {message} CI=true requires it.", file=sys.stderr)
                return 1
            print(f"\nNOTE: {message} Ran SQLite only.", file=sys.stderr)
        else:
            with postgres_cluster(bindir) as url:
                if pytest(f"PostgreSQL ({bindir})", url, args) != 0:
                    failures.append("PostgreSQL")
    if failures:
        print(f"\nFAILED on: {', '.join(failures)}", file=sys.stderr)
        return 1
    print("\nAll test runs passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
