"""Background tasks: queued with the work that asks for them, run once, failures kept."""

import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django.urls import reverse
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from newsroom.tasks import enqueue, run_now
from pages.models import Page
from tests.factories import ImageFactory
from tests.test_renditions import picture_file
from tests.test_topics import make_user

ROOT = Path(__file__).resolve().parent.parent
User = get_user_model()


@task()
def record(*, n: int) -> None:
    """A task with an effect a second run would break: the page slug is unique."""
    Page.objects.create(slug=f"task-{n}", title=f"Task {n}")


@task()
def fail(*, n: int) -> None:
    raise ValueError(f"cannot do {n}")


# Set in each worker process once its first task has waited for the other worker.
waited = False


def workers_that_claimed_tasks() -> set[str]:
    claimed = DBTaskResult.objects.exclude(status="READY").values_list("worker_ids", flat=True)
    return {worker for ids in claimed for worker in ids}


@task()
def concurrent(*, n: int) -> None:
    """The first task each worker runs waits until the other worker has claimed one
    too, so both are at work at once; then as record."""
    global waited
    if not waited:
        waited = True
        deadline = time.monotonic() + 60
        while len(workers_that_claimed_tasks()) < 2:
            if time.monotonic() > deadline:
                raise TimeoutError("the other worker never claimed a task")
            time.sleep(0.05)
    record.call(n=n)


def run_worker() -> str:
    """One `db_worker` that runs every waiting task and stops; its output."""
    out = StringIO()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out)
    return out.getvalue()


def done() -> list[str]:
    return list(Page.objects.filter(slug__startswith="task-").values_list("slug", flat=True))


class TaskQueueTests(TestCase):
    def test_no_task_when_the_transaction_that_asked_for_it_rolls_back(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic():
            enqueue(record, n=1)
            raise RuntimeError("the publish failed")
        self.assertFalse(DBTaskResult.objects.exists())

    @override_settings(JOBS_RUN_AT_COMMIT=False)
    def test_a_task_a_worker_holds_is_not_run_again_at_commit(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            result = enqueue(record, n=2)
        DBTaskResult.objects.get(id=result.id).claim("another-worker")
        run_now(result.id)
        self.assertEqual(done(), [])
        result.refresh()
        self.assertEqual((result.status, result.worker_ids), ("RUNNING", ["another-worker"]))


class TaskAdminTests(TestCase):
    def test_tasks_are_listed_for_superusers_only(self) -> None:
        """A superuser finds the tasks, a failed one with its error, under Background
        tasks; an editor handed the tasks' permissions neither sees nor opens them."""
        result = enqueue(fail, n=4)
        DBTaskResult.objects.get(id=result.id).set_failed(ValueError("cannot do 4"))
        root = User.objects.create_superuser("root", "root@example.com", "pw-for-tests")
        editor = make_user("edith", "editor")
        editor.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="django_tasks_database")
        )
        change = reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.id])
        self.client.force_login(root)
        index = self.client.get(reverse("admin:index"))
        self.assertIn("Background tasks", [app["name"] for app in index.context["available_apps"]])
        self.assertContains(self.client.get(change), "ValueError: cannot do 4")
        self.client.force_login(User.objects.get(pk=editor.pk))
        index = self.client.get(reverse("admin:index"))
        self.assertNotIn(
            "Background tasks", [app["name"] for app in index.context["available_apps"]]
        )
        self.assertEqual(self.client.get(change).status_code, 403)


class WorkerTests(TransactionTestCase):
    """`db_worker` in this process. It checks its connection between tasks as a request
    does, which a TestCase's open transaction does not survive."""

    # The seeded story, gone with the flush after each test, comes back.
    serialized_rollback = True

    def test_a_task_runs_once_right_after_the_commit(self) -> None:
        with transaction.atomic():
            result = enqueue(record, n=1)
            self.assertEqual(done(), [], "not before the commit")
        self.assertEqual(done(), ["task-1"])
        result.refresh()
        self.assertEqual(result.status, TaskResultStatus.SUCCESSFUL)
        run_worker()
        self.assertEqual(done(), ["task-1"], "the worker does not run it again")

    @override_settings(JOBS_RUN_AT_COMMIT=False)
    def test_a_failing_task_is_recorded_as_failed_with_its_error(self) -> None:
        result = enqueue(fail, n=3)
        self.assertEqual(result.status, TaskResultStatus.READY)
        with self.assertLogs("django_tasks", "ERROR"):
            run_worker()
        result.refresh()
        self.assertEqual(result.status, TaskResultStatus.FAILED)
        [error] = result.errors
        self.assertIs(error.exception_class, ValueError)
        self.assertIn("ValueError: cannot do 3", error.traceback)
        run_worker()
        self.assertEqual(DBTaskResult.objects.get().status, "FAILED", "not retried")

    @override_settings(JOBS_RUN_AT_COMMIT=False)
    def test_renditions_are_made_by_the_worker(self) -> None:
        """With nothing run at commit, a saved image waits for `db_worker`."""
        image = ImageFactory(file=picture_file((900, 600)))
        self.assertFalse(image.renditions.exists())
        run_worker()
        self.assertTrue(image.renditions.filter(width=800, format="webp").exists())
        self.assertEqual(
            list(DBTaskResult.objects.values_list("task_path", "status")),
            [("pictures.renditions.make_renditions", "SUCCESSFUL")],
        )


def this_database_url() -> str:
    """The test database (committed rows only), for other processes."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host = quote(settings["HOST"] or "", safe="")
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{settings['USER']}@{host}{port}/{settings['NAME']}"


class ConcurrentWorkersTests(TransactionTestCase):
    # Leaves no content types behind for the next transactional test's snapshot.
    serialized_rollback = True

    def test_two_workers_share_the_tasks_and_run_each_exactly_once(self) -> None:
        """Two `db_worker` processes on the same queue: every task runs, none twice (a
        second run would fail on the page's unique slug)."""
        with transaction.atomic():
            for n in range(40):
                concurrent.enqueue(n=n)
        env = {
            **os.environ,
            "DATABASE_URL": this_database_url(),
            "DJANGO_SETTINGS_MODULE": "newsroom.settings_test",
        }
        command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload"]
        workers = [
            subprocess.Popen([*command, "--worker-id", f"worker-{i}"], cwd=ROOT, env=env)
            for i in (1, 2)
        ]
        self.assertEqual([worker.wait(timeout=120) for worker in workers], [0, 0])
        self.assertEqual(sorted(done()), sorted(f"task-{n}" for n in range(40)))
        results = list(DBTaskResult.objects.values_list("status", "worker_ids"))
        self.assertEqual({status for status, _ in results}, {"SUCCESSFUL"})
        self.assertEqual({len(ids) for _, ids in results}, {1}, "each claimed once")
        self.assertEqual({ids[0] for _, ids in results}, {"worker-1", "worker-2"})
