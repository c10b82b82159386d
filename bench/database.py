"""A throwaway database for the benchmarks, seeded with `seed_demo`.

SQLite: a file in a temporary folder. PostgreSQL: a private cluster on a Unix socket,
made as scripts/run_tests.py makes the test one. Either is removed afterwards.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
# stop_cleanly_on_sigterm is for bench/run.py and bench/explain.py.
from run_tests import find_pg_bindir, postgres_cluster  # noqa: E402
from run_tests import stop_cleanly_on_sigterm as stop_cleanly_on_sigterm  # noqa: E402

from deploy.engines import controlled_environment  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")


def production_env(database_url: str, folder: Path, **extra: str) -> dict[str, str]:
    """The production settings, on loopback, without HTTPS or log noise; nothing from
    the caller's environment or `.env` (deploy.engines.controlled_environment)."""
    return controlled_environment(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="false",
        SECRET_KEY="benchmark-only-secret-key",  # noqa: S106 - a throwaway database's
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(folder / "media"),
        STATIC_ROOT=str(folder / "static"),
        SECURE_SSL_REDIRECT="false",
        BEHIND_TLS_PROXY="false",
        LOG_LEVEL="WARNING",
        GUNICORN_ACCESS_LOG="off",
        **extra,
    )


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


VACUUM_ANALYZE = "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"


def has_seed_demo() -> bool:
    return (ROOT / "interchange" / "management" / "commands" / "seed_demo.py").is_file()


@contextlib.contextmanager
def seeded_database(engine: str, articles: int, folder: Path) -> Iterator[str]:
    """Yield a DATABASE_URL, migrated (the seed story) plus `articles` from seed_demo."""
    with contextlib.ExitStack() as stack:
        if engine == "postgres":
            bindir = find_pg_bindir()
            if bindir is None:
                sys.exit("PostgreSQL server binaries not found: apt-get install postgresql")
            url = stack.enter_context(postgres_cluster(bindir))
        else:
            url = f"sqlite:///{folder / 'bench.sqlite3'}"
        env = production_env(url, folder)
        manage(env, "migrate", "--no-input")
        if articles and not has_seed_demo():
            sys.exit(
                "seed_demo is not in this checkout (it comes with the commands branch); "
                "use --articles 0 to measure the migrations' seed story alone."
            )
        if articles:
            start = time.perf_counter()
            manage(env, "seed_demo", "--articles", str(articles), "--authors", "200")
            seconds = time.perf_counter() - start
            print(f"seed_demo {articles:,} articles ({engine}): {seconds:.0f} s", flush=True)
        if engine == "postgres":
            # Planner statistics and the visibility map, as autovacuum keeps them on a
            # database in use; straight after a bulk load they are missing.
            manage(env, "shell", "-c", VACUUM_ANALYZE)
        yield url


def temporary_folder() -> contextlib.AbstractContextManager[str]:
    return tempfile.TemporaryDirectory(prefix="newsroom-bench-")
