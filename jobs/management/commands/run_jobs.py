import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jobs.models import Job
from jobs.queue import run_next, runner_name
from newsroom.plurals import counted


class Command(BaseCommand):
    help = (
        "Run background jobs (renditions, ...) as they fall due. Any number of runners "
        "may run at once, on any servers: each job is done by exactly one of them. "
        "Stops after the job in hand on SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run the jobs due now, then exit.")
        parser.add_argument(
            "--max-jobs", type=int, default=0, help="Exit after this many jobs (0: no limit)."
        )
        parser.add_argument(
            "--poll",
            type=float,
            default=2.0,
            help="Seconds to wait before looking again when no job is due (default 2).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the jobs due now, run nothing."
        )

    def handle(
        self, *args: Any, once: bool, max_jobs: int, poll: float, dry_run: bool, **options: Any
    ) -> None:
        if max_jobs < 0 or poll <= 0:
            raise CommandError("--max-jobs must be 0 or more and --poll more than 0.")
        if dry_run:
            due = list(Job.objects.due())
            for job in due:
                self.stdout.write(f"{job} (attempt {job.attempts + 1}) {job.payload}")
            self.stdout.write(counted(len(due), "%(count)s job due", "%(count)s jobs due"))
            return
        self.stopping = False
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        worker = runner_name()
        done = failed = 0
        while not self.stopping and not (max_jobs and done + failed >= max_jobs):
            job = run_next(worker=worker)
            if job is None:
                if once:
                    break
                time.sleep(poll)
                continue
            if job.done_at:
                done += 1
                if options["verbosity"] >= 2:
                    self.stdout.write(f"{job} done")
            else:
                failed += 1
                self.stderr.write(self.style.WARNING(f"{job} failed: {job.last_error}"))
        self.stdout.write(
            self.style.SUCCESS(
                counted(done, "%(count)s job done", "%(count)s jobs done") + f", {failed:,} failed"
            )
        )

    def stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
