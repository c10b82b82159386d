"""The job queue: work after a commit, done once, retried when it fails."""

import datetime
import threading
from io import StringIO
from unittest import skipUnless

from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone

from jobs.models import MAX_ATTEMPTS, Job
from jobs.queue import enqueue, handler, run_next
from tests.factories import ImageFactory
from tests.test_renditions import picture_file

done: list[int] = []


@handler("test.record")
def record(*, n: int) -> None:
    done.append(n)


@handler("test.fail")
def fail(*, n: int) -> None:
    Job.objects.create(kind="test.record", payload={"n": n})  # undone with the failure
    raise ValueError(f"cannot do {n}")


@handler("test.crash")
def crash(*, n: int) -> None:
    # A runner killed mid-job: the exception is not an Exception, nothing handles it.
    raise KeyboardInterrupt


def run_all(worker: str = "test") -> list[Job]:
    ran = []
    while (job := run_next(worker=worker)) is not None:
        ran.append(job)
    return ran


class JobQueueTests(TestCase):
    def setUp(self) -> None:
        done.clear()

    def test_a_due_job_runs_once_right_after_the_commit(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            job = enqueue("test.record", n=1)
        self.assertEqual(done, [1])
        job.refresh_from_db()
        self.assertIsNotNone(job.done_at)
        self.assertEqual(run_all(), [])
        self.assertEqual(done, [1])

    def test_no_job_when_the_transaction_that_asked_for_it_rolls_back(self) -> None:
        with self.assertRaises(RuntimeError), transaction.atomic():
            enqueue("test.record", n=1)
            raise RuntimeError("the publish failed")
        self.assertFalse(Job.objects.exists())

    def test_unknown_kind_is_refused_when_enqueued(self) -> None:
        with self.assertRaisesMessage(ValueError, "No handler for job kind 'nope'"):
            enqueue("nope")

    def test_a_scheduled_job_waits_for_its_time(self) -> None:
        later = timezone.now() + datetime.timedelta(hours=1)
        with self.captureOnCommitCallbacks(execute=True):
            job = enqueue("test.record", run_after=later, n=2)
        self.assertEqual(run_all(), [])
        Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
        self.assertEqual(run_all(), [job])
        self.assertEqual(done, [2])

    def test_a_failed_job_is_retried_later_with_growing_delays(self) -> None:
        job = Job.objects.create(kind="test.fail", payload={"n": 3})
        delays = []
        for attempt in range(1, MAX_ATTEMPTS + 1):
            before = timezone.now()
            [ran] = run_all()
            self.assertEqual((ran.attempts, ran.last_error), (attempt, "ValueError: cannot do 3"))
            delays.append(round((ran.run_after - before).total_seconds()))
            self.assertEqual(run_all(), [], "not retried before its delay")
            Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
        self.assertEqual(delays, [10, 20, 40, 80, 160])
        self.assertEqual(run_all(), [], f"given up after {MAX_ATTEMPTS} attempts")
        # The failing handler's own writes were undone each time.
        self.assertEqual(list(Job.objects.values_list("kind", flat=True)), ["test.fail"])

    def test_a_runner_dying_mid_job_leaves_it_for_another(self) -> None:
        job = Job.objects.create(kind="test.crash", payload={"n": 4})
        with self.assertRaises(KeyboardInterrupt):
            run_next(worker="dies")
        job.refresh_from_db()
        self.assertEqual((job.attempts, job.done_at), (0, None))
        self.assertEqual(list(Job.objects.due()), [job])


class RunJobsCommandTests(TestCase):
    def run_jobs(self, *args: str) -> str:
        out = StringIO()
        call_command("run_jobs", *args, stdout=out, stderr=StringIO())
        return out.getvalue()

    def test_once_runs_every_due_job_and_reports(self) -> None:
        for n in range(3):
            Job.objects.create(kind="test.record", payload={"n": n})
        Job.objects.create(kind="test.fail", payload={"n": 9})
        self.assertIn("3 jobs done, 1 failed", self.run_jobs("--once"))

    def test_max_jobs_and_dry_run(self) -> None:
        for n in range(3):
            Job.objects.create(kind="test.record", payload={"n": n})
        self.assertIn("3 jobs due", self.run_jobs("--dry-run"))
        self.assertIn("1 job done", self.run_jobs("--max-jobs", "1"))
        self.assertIn("2 jobs due", self.run_jobs("--dry-run"))
        self.assertIn("1 job done", self.run_jobs("--max-jobs", "1"))
        self.assertIn("1 job due", self.run_jobs("--dry-run"))

    @override_settings(JOBS_RUN_AT_COMMIT=False)
    def test_renditions_are_made_by_the_runner(self) -> None:
        """With nothing done at commit, a saved image waits for `run_jobs`."""
        with self.captureOnCommitCallbacks(execute=True):
            image = ImageFactory(file=picture_file((900, 600)))
        self.assertFalse(image.renditions.exists())
        self.assertIn("1 job done", self.run_jobs("--once"))
        self.assertTrue(image.renditions.filter(width=800, format="webp").exists())


# Two runners on two connections: each holds its first job until the other holds one
# too, which only SKIP LOCKED allows (a plain lock would make the second one wait).
both_holding_a_job = threading.Barrier(2, timeout=20)
held = threading.local()
shared: list[tuple[str, int]] = []


@handler("test.concurrent")
def concurrent(*, n: int) -> None:
    if not getattr(held, "waited", False):
        held.waited = True
        both_holding_a_job.wait()
    shared.append((threading.current_thread().name, n))


@skipUnless(connection.vendor == "postgresql", "row locks with SKIP LOCKED need PostgreSQL")
class ConcurrentRunnersTests(TransactionTestCase):
    # Leaves no content types behind for the next transactional test's snapshot.
    serialized_rollback = True

    def test_two_runners_share_the_jobs_and_do_each_exactly_once(self) -> None:
        Job.objects.bulk_create(Job(kind="test.concurrent", payload={"n": n}) for n in range(40))
        errors: list[BaseException] = []

        def runner() -> None:
            try:
                run_all(worker=threading.current_thread().name)
            except BaseException as error:  # reported by the test, not lost in the thread
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=runner, name=f"runner-{i}") for i in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(n for _, n in shared), list(range(40)), "none twice, none lost")
        self.assertEqual({name for name, _ in shared}, {"runner-1", "runner-2"})
        self.assertFalse(Job.objects.filter(done_at__isnull=True).exists())
        self.assertEqual(
            set(Job.objects.values_list("locked_by", flat=True)), {"runner-1", "runner-2"}
        )
