"""Settings from `.env` and the environment of the servers the tooling starts.

A newcomer's `make run` copies `.env.example` to `.env`, most of its variables empty;
`make test` then has to pass beside it, and every server a test starts has to come up.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.engines import controlled_environment, free_port, wait_until, wait_until_answering
from newsroom.environment import read_env_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / ".env.example"
READERS = {"env", "env_bool", "env_int", "env_list"}


def documented() -> dict[str, str]:
    """The variables .env.example lists, with their values as written."""
    lines = EXAMPLE.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def variables_read(path: Path) -> set[str]:
    """The variables a settings file reads through newsroom.environment."""
    return {
        node.args[0].value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in READERS
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


@pytest.fixture
def example_as_env_file(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A process that reads `.env.example` copied as `.env`, as `make run` leaves it."""
    monkeypatch.delenv("READ_ENV_FILE")
    for name in documented():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SITE_NAME", "Set in the real environment")
    read_env_file(EXAMPLE)
    return documented()


def test_empty_lines_of_the_env_file_never_reach_the_environment(
    example_as_env_file: dict[str, str],
) -> None:
    empty = [name for name, value in example_as_env_file.items() if not value]
    assert "WEB_CONCURRENCY" in empty and "AWS_ACCESS_KEY_ID" in empty
    assert [name for name in empty if name in os.environ] == []
    assert os.environ["DEBUG"] == "true"
    assert os.environ["GUNICORN_MAX_REQUESTS"] == "20000"
    assert os.environ["SITE_NAME"] == "Set in the real environment"


def test_gunicorn_starts_beside_a_newcomers_env_file(
    example_as_env_file: dict[str, str], tmp_path: Path
) -> None:
    """Servers inherit their parent's environment: with `.env.example` copied as `.env`,
    a parent that read it must not hand gunicorn WEB_CONCURRENCY="", on which gunicorn
    dies at import (int(""))."""
    port, log = free_port(), tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "READ_ENV_FILE": "false",
    }
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
             "-b", f"127.0.0.1:{port}", "-w", "1", "newsroom.wsgi"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/healthz/", server, log=log)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_every_variable_the_site_reads_is_documented_in_env_example() -> None:
    read = variables_read(ROOT / "newsroom" / "settings.py")
    read |= variables_read(ROOT / "gunicorn.conf.py")
    assert {"DATABASE_URL", "WEB_CONCURRENCY", "GUNICORN_BIND"} <= read
    assert sorted(read - set(documented())) == []


def test_a_started_server_gets_a_controlled_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CACHE_URL", "redis://developers-own-redis:6379/0")
    monkeypatch.setenv("WEB_CONCURRENCY", "")
    env = controlled_environment(DATABASE_URL="sqlite:///x.sqlite3")
    assert env["PATH"] == os.environ["PATH"]
    assert env["READ_ENV_FILE"] == "false"
    assert env["DATABASE_URL"] == "sqlite:///x.sqlite3"
    assert "CACHE_URL" not in env and "WEB_CONCURRENCY" not in env


def test_a_server_that_dies_at_start_fails_with_its_own_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; print('cannot bind: no such address'); sys.exit(3)",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    with pytest.raises(RuntimeError) as failure:
        wait_until_answering(f"http://127.0.0.1:{free_port()}/healthz/", server, log=log)
    assert "exited with 3" in str(failure.value)
    assert "cannot bind: no such address" in str(failure.value)


def test_a_server_that_never_answers_fails_at_the_deadline_with_its_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("still booting\n")
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with pytest.raises(RuntimeError) as failure:
            wait_until(lambda: False, server, "a slow server", log=log, seconds=0.5)
    finally:
        server.kill()
        server.wait()
    assert "a slow server: not ready after" in str(failure.value)
    assert "still booting" in str(failure.value)
