"""scripts/run_tests.py cleans up after itself when it is stopped: a SIGTERM (a CI
timeout, a kill) stops and removes its throwaway PostgreSQL cluster, as Ctrl-C does.
Before, Python died without running a `finally`, and the cluster kept running in /tmp.

Runs in the PostgreSQL half of scripts/run_tests.py, where the server binaries are
known to exist.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRESQL = os.environ.get("TEST_DATABASE_LABEL", "").startswith("PostgreSQL")


def running(pid: int) -> bool:
    """The process exists and is not a zombie waiting for its parent."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL's server binaries")
def test_sigterm_stops_and_removes_the_test_cluster() -> None:
    # The cluster's folder is made here (TMPDIR), where its unprivileged owner can reach it.
    folder = Path(tempfile.mkdtemp(prefix="run-tests-term-"))
    folder.chmod(0o755)
    env = {**os.environ, "TMPDIR": str(folder)}
    env.pop("DATABASE_URL", None)
    runner = subprocess.Popen(
        [sys.executable, "scripts/run_tests.py", "--postgres-only", "-q"]
        + ["-p", "no:cacheprovider", "tests/test_archive_periods.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    postmaster = 0
    try:
        assert runner.stdout is not None
        # The cluster is up and the suite has started on it.
        for line in runner.stdout:
            if line.startswith("=== Tests on PostgreSQL"):
                break
        else:
            pytest.fail(f"scripts/run_tests.py ended before its PostgreSQL run: {runner.wait()}")
        (pid_file,) = folder.glob("newsroom-pg-*/data/postmaster.pid")
        postmaster = int(pid_file.read_text().split()[0])
        assert running(postmaster)
        runner.send_signal(signal.SIGTERM)
        runner.communicate(timeout=60)
        assert runner.returncode == 128 + signal.SIGTERM
        assert not running(postmaster), "the test cluster's server is still running"
        assert list(folder.iterdir()) == [], "the test cluster's folder was left behind"
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        if postmaster and running(postmaster):  # the failure this test looks for
            os.kill(postmaster, signal.SIGTERM)
        shutil.rmtree(folder, ignore_errors=True)
