"""A job table: work that must happen after a commit, done once by whichever process
claims it first (docs/deploy.md, "Background work")."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

# A job that failed this many times waits for a person (its last_error says why).
MAX_ATTEMPTS = 5


class JobQuerySet(models.QuerySet["Job"]):
    def due(self, *, now: timezone.datetime | None = None) -> JobQuerySet:
        """Jobs waiting to run whose time has come, oldest first."""
        return self.filter(
            done_at__isnull=True,
            attempts__lt=MAX_ATTEMPTS,
            run_after__lte=now or timezone.now(),
        ).order_by("run_after", "pk")


class Job(models.Model):
    kind = models.CharField(max_length=100, help_text="Which handler runs it (jobs.queue).")
    payload = models.JSONField(default=dict, blank=True, help_text="The handler's arguments.")
    run_after = models.DateTimeField(default=timezone.now, help_text="Not run before this time.")
    attempts = models.PositiveSmallIntegerField(default=0)
    locked_by = models.CharField(
        max_length=200, blank=True, help_text="The runner (host:process) that last ran it."
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        indexes = [
            # The runner's "next due job" query (JobQuerySet.due) reads only waiting jobs.
            models.Index(
                fields=["run_after", "id"],
                condition=models.Q(done_at__isnull=True),
                name="jobs_job_waiting_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
