"""A worker process with Django set up, for CPU work beside a command's own: Python's
threads share one core (the GIL), processes do not.

The worker is a new interpreter (`python -m newsroom.processes`), not a fork and not
multiprocessing's spawn: a fork would inherit the command's threads' locks and its
database connections (a forked worker outliving the command would hold its
PostgreSQL connection open, with its transaction and locks), and spawn runs the
command's main script again in the worker, which a script calling call_command()
without a `__main__` guard does not survive. It is given the command's settings
module and import path, reads no database, and works one job at a time, in the order
sent. It runs in a session of its own, so Ctrl-C at a terminal reaches the command
alone, and it ends when the command closes it or ends, however the command ends (its
end of the socket then reads end-of-file).

This module imports no model: the worker runs it before Django is set up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import traceback
from multiprocessing.connection import Connection
from typing import Any

from django.conf import settings

# Long enough for a job under way to finish; the worker is then killed.
CLOSE_SECONDS = 10.0


class WorkerFailed(RuntimeError):
    """The worker could not do a job, or ended: the message says why in one line (the
    worker printed its traceback)."""


class Worker:
    """Runs `function` (a dotted path to a function of one picklable job that returns a
    picklable result) in a worker process: send() a job, then receive() its result
    before sending the next, so that neither side waits on the other to read."""

    def __init__(self, function: str) -> None:
        ours, theirs = socket.socketpair()
        with ours, theirs:
            self.process = subprocess.Popen(  # noqa: S603 # this interpreter, this module
                [sys.executable, "-m", __name__, function, str(theirs.fileno())],
                env={
                    **os.environ,
                    "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
                    "PYTHONPATH": os.pathsep.join(path for path in sys.path if path),
                },
                pass_fds=[theirs.fileno()],
                start_new_session=True,
            )
            # Only the worker holds its end now, so its ending reads as end-of-file here.
            self.connection = Connection(ours.detach())

    def send(self, job: Any) -> None:
        try:
            self.connection.send(job)
        except OSError:
            raise self.ended() from None

    def receive(self) -> Any:
        """The result of the job sent last; WorkerFailed if the job failed or the worker
        ended."""
        try:
            done, result = self.connection.recv()
        except (EOFError, OSError):
            raise self.ended() from None
        if not done:
            raise WorkerFailed(result)
        return result

    def ended(self) -> WorkerFailed:
        try:
            code = self.process.wait(CLOSE_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        return WorkerFailed(f"the worker process ended (exit code {code})")

    def close(self) -> None:
        """End the worker: it reads end-of-file once its job under way, if any, is done."""
        self.connection.close()
        try:
            self.process.wait(CLOSE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def serve(connection: Connection, function: str) -> None:
    """The worker: Django set up, then each job received is done and its result, or
    its failure in one line, sent back, until end-of-file."""
    try:
        import django
        from django.utils.module_loading import import_string

        django.setup()
        work = import_string(function)
    except Exception as error:  # told for every job, below
        traceback.print_exc()
        setup_failed = f"{function} could not start: {error!r}"
    else:
        setup_failed = ""
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if setup_failed:
            reply: tuple[bool, Any] = (False, setup_failed)
        else:
            try:
                reply = (True, work(job))
            except Exception as error:  # sent back, to be raised there
                traceback.print_exc()
                reply = (False, f"{function} failed: {error!r}")
        try:
            connection.send(reply)
        except OSError:
            # The command has gone: nobody is left to tell.
            return


if __name__ == "__main__":
    serve(Connection(int(sys.argv[2])), sys.argv[1])
