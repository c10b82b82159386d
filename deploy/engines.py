"""Start and stop real engines on loopback for tests and the cluster test.

Each engine runs in its own process group, so stopping it also stops its children
(gunicorn's workers, for one).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import boto3

LOOPBACK = "127.0.0.1"
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


# Generous, because a server that starts in a second on an idle machine can take tens of
# seconds beside a running test suite or `make run` on two cores: readiness is probed,
# never assumed from a fixed sleep.
READY_SECONDS = 120

# What a started server needs of the machine's own environment; nothing else is passed on.
ESSENTIALS = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "VIRTUAL_ENV")


def controlled_environment(**settings: str) -> dict[str, str]:
    """The environment for a server the tooling starts: the machine's essentials and the
    given settings. Not the caller's variables (a developer's shell, or what a process
    took from `.env`) and not the `.env` file itself (READ_ENV_FILE=false), so the server
    runs the same on every machine."""
    machine = {name: os.environ[name] for name in ESSENTIALS if name in os.environ}
    return {**machine, "READ_ENV_FILE": "false", **settings}


def log_tail(log: Path | None, lines: int = 80) -> str:
    """The last lines of a server's log, to say why it failed."""
    if log is None or not log.is_file():
        return "(no log)"
    text = log.read_text(errors="replace").splitlines()[-lines:]
    return f"--- last {len(text)} lines of {log} ---\n" + "\n".join(text)


def wait_until(
    ready: Callable[[], bool],
    process: subprocess.Popen[bytes],
    what: str,
    *,
    log: Path | None = None,
    seconds: float = READY_SECONDS,
) -> None:
    """Probe until `ready()`; fail with the server's log if it exits or the deadline passes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{what}: {process.args!r} exited with {process.returncode}\n{log_tail(log)}"
            )
        with contextlib.suppress(OSError):
            if ready():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not ready after {seconds:.0f} s\n{log_tail(log)}")


def wait_until_listening(
    port: int, process: subprocess.Popen[bytes], *, log: Path | None = None
) -> None:
    """Return once something accepts connections on the port."""

    def listening() -> bool:
        socket.create_connection((LOOPBACK, port), 0.5).close()
        return True

    wait_until(listening, process, f"port {port}", log=log)


def wait_until_answering(url: str, process: subprocess.Popen[bytes], *, log: Path | None) -> None:
    """Return once the URL answers with success (a health check)."""

    def answering() -> bool:
        urllib.request.urlopen(url, timeout=5).close()
        return True

    wait_until(answering, process, url, log=log)


def start(
    args: list[str], *, log: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start an engine in a new process group, its output in `log` (or discarded)."""
    with open(log, "ab") if log else contextlib.nullcontext(subprocess.DEVNULL) as output:
        return subprocess.Popen(
            args, stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes], seconds: float = 10) -> None:
    """Stop the process group: politely, then by force."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start_s3(port: int, log: Path | None = None) -> subprocess.Popen[bytes]:
    """moto's S3-compatible server, in memory, on loopback."""
    process = start([str(BIN / "moto_server"), "-H", LOOPBACK, "-p", str(port)], log=log)
    wait_until_listening(port, process)
    return process


def create_public_bucket(
    endpoint: str, bucket: str, region: str, *, access_key: str, secret_key: str
) -> None:
    """A bucket anyone may read, as docs/deploy.md sets up for media (a bucket policy,
    since new AWS buckets refuse per-object ACLs)."""
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
    )
    client.create_bucket(Bucket=bucket)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
