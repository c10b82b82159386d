"""Background tasks: django-tasks with its database backend (settings.TASKS).

A task's row is written in the current transaction, so it exists only if the work
that asked for it commits. `manage.py db_worker` processes claim rows with
SELECT ... FOR UPDATE SKIP LOCKED, so any number of them never run one task twice.
The backend has no retries: a failed task stays failed with its traceback, and what
it should have made is made by a staff command run from cron (docs/deploy.md,
"Background jobs").
"""

from __future__ import annotations

import os
import socket
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks.base import Task, TaskResult
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


def enqueue(task: Task[..., Any], **kwargs: Any) -> TaskResult[Any]:
    """Queue the task in the current transaction. With JOBS_RUN_AT_COMMIT, this process
    also runs it right after the commit, so its result is there at once; a worker runs
    it instead if this process dies first."""
    result = task.enqueue(**kwargs)
    if settings.JOBS_RUN_AT_COMMIT:
        transaction.on_commit(lambda: run_now(result.id))
    return result


def run_now(result_id: str) -> None:
    """Claim the task as a worker would and run it here, unless a worker holds it or
    has run it already. A failure is recorded on the task, not raised."""
    with exclusive_transaction():
        claimed = DBTaskResult.objects.ready().filter(id=result_id).get_locked()
        if claimed is None:
            return
        worker_id = f"{socket.gethostname()}:{os.getpid()}"[:64]
        claimed.claim(worker_id)
    # The worker's own bookkeeping: the result, the traceback, the task signals.
    Worker(
        queue_names=[claimed.queue_name],
        interval=0,
        batch=True,
        backend_name=claimed.backend_name,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run_task(claimed)
