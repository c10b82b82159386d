"""Enqueue jobs and run them: once each, by any number of runners on any servers.

A runner claims the oldest due job with SELECT ... FOR UPDATE SKIP LOCKED and runs it
inside that same transaction: the row lock keeps every other runner off it, its
database writes commit together with `done_at`, and a runner that dies mid-job rolls
back, so the job is claimed again instead of lost. A failing job is retried later
with exponential backoff, MAX_ATTEMPTS times. Handlers must therefore be idempotent
for their effects outside the database (files in storage).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobs.models import Job

logger = logging.getLogger(__name__)

Handler = Callable[..., None]
HANDLERS: dict[str, Handler] = {}

# Seconds before the first retry; doubled for each further attempt, at most an hour.
RETRY_DELAY = 10
MAX_RETRY_DELAY = 3600


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of this kind, called with the payload as
    keyword arguments."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def enqueue(kind: str, *, run_after: datetime.datetime | None = None, **payload: Any) -> Job:
    """Add a job in the current transaction: it exists only if the work that asked for
    it commits, and then it cannot be lost. A job due now is also tried in this process
    right after the commit (JOBS_RUN_AT_COMMIT) so its result is there at once; if that
    process dies first, a runner does it."""
    if kind not in HANDLERS:
        raise ValueError(f"No handler for job kind {kind!r}")
    job = Job.objects.create(kind=kind, payload=payload, run_after=run_after or timezone.now())
    if settings.JOBS_RUN_AT_COMMIT and run_after is None:
        transaction.on_commit(lambda: run_next(worker=runner_name(), job_id=job.pk))
    return job


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def retry_delay(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(RETRY_DELAY * 2 ** (attempts - 1), MAX_RETRY_DELAY))


def run_next(*, worker: str, job_id: int | None = None) -> Job | None:
    """Claim and run the oldest due job (or the given one, if due and unclaimed).
    Returns the job, done or rescheduled, or None when there was nothing to claim."""
    with transaction.atomic():
        due = Job.objects.due().select_for_update(skip_locked=True)
        if job_id is not None:
            due = due.filter(pk=job_id)
        job = due.first()
        if job is None:
            return None
        job.attempts += 1
        job.locked_by = worker
        try:
            # A savepoint, so a failing handler's writes are undone but the attempt
            # and its error are still recorded.
            with transaction.atomic():
                HANDLERS[job.kind](**job.payload)
        except Exception as error:
            job.last_error = f"{type(error).__name__}: {error}"
            job.run_after = timezone.now() + retry_delay(job.attempts)
            logger.exception("Job %s failed (attempt %s)", job, job.attempts)
        else:
            job.done_at = timezone.now()
            job.last_error = ""
        job.save(update_fields=["attempts", "locked_by", "last_error", "run_after", "done_at"])
    return job
