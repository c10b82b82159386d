"""newsroom.processes: a worker process with Django set up, given jobs one at a time."""

import os
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from django.test import SimpleTestCase

from newsroom.processes import Worker, WorkerFailed

ROOT = Path(__file__).resolve().parent.parent


def gone(pid: int, seconds: float = 60) -> bool:
    """Whether the process `pid` has ended (or is a zombie nobody waits for) within
    `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


class WorkerTests(SimpleTestCase):
    def test_jobs_are_done_in_turn_with_django_set_up(self) -> None:
        with closing(Worker("django.urls.reverse")) as worker:
            for name in ("home", "search"):
                worker.send(name)
                self.assertIn(worker.receive(), ("/", "/search/"))
        self.assertIsNotNone(worker.process.poll(), "closing ends the worker")

    def test_a_failed_job_is_one_line_and_the_worker_goes_on(self) -> None:
        with closing(Worker("builtins.int")) as worker:
            worker.send("seven")
            with self.assertRaisesMessage(WorkerFailed, "builtins.int failed: ValueError("):
                worker.receive()
            worker.send("7")
            self.assertEqual(worker.receive(), 7)

    def test_a_worker_that_cannot_start_says_so(self) -> None:
        with closing(Worker("newsroom.no_such_module.work")) as worker:
            worker.send(1)
            with self.assertRaisesMessage(
                WorkerFailed, "newsroom.no_such_module.work could not start"
            ):
                worker.receive()

    def test_a_worker_that_ends_is_a_failure_not_a_hang(self) -> None:
        with closing(Worker("os._exit")) as worker:
            worker.send(4)
            with self.assertRaisesMessage(WorkerFailed, "the worker process ended (exit code 4)"):
                worker.receive()

    def test_the_worker_ends_with_its_command_however_that_ends(self) -> None:
        """A command killed outright (SIGKILL; SIGTERM kills Python as abruptly) closes
        nothing, and its worker would hold on: it reads end-of-file and ends."""
        command = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django, os; django.setup();"
                "from newsroom.processes import Worker;"
                "worker = Worker('builtins.len'); worker.send('ab'); worker.receive();"
                "print(worker.process.pid, flush=True); os.kill(os.getpid(), 9)",
            ],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings_test"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.assertEqual(command.returncode, -9, command.stderr)
        self.assertTrue(gone(int(command.stdout)))
