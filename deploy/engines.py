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
from pathlib import Path

import boto3

LOOPBACK = "127.0.0.1"
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def wait_until_listening(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Return once something accepts connections on the port; fail if the process dies."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"Nothing listens on port {port} after {seconds} s: {process.args!r}")


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
