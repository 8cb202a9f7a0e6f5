"""Durable background work: one row per job, on the application's own database.

The row is the whole truth about a job: which handler runs it (`task`), on which queue, with
what JSON `payload`, how often it ran, when it may run next and who holds it. resolvers/jobs
claims, runs and finishes rows; this module only describes them.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import JobStatus


class Job(Model):
    id = fields.UUIDField(primary_key=True)
    task = fields.CharField(max_length=64)
    queue = fields.CharField(max_length=64)
    # JSON text: the same bytes on both databases, and handlers decode what they wrote.
    payload = fields.TextField()
    status = fields.CharEnumField(JobStatus, max_length=16)
    # Attempts started, counted when a worker claims the job (so a crash counts too).
    attempts = fields.IntField(default=0)
    # QUEUED: not before this time. RUNNING: when the attempt started.
    run_at = fields.DatetimeField()
    # The lease: the worker holding the job, and until when. A worker renews it while the
    # job runs; once it has passed, any worker may take the job up again.
    locked_by = fields.CharField(max_length=128, null=True)
    locked_until = fields.DatetimeField(null=True)
    # A short code (a registry's error code, an exception's class name), never data.
    last_error = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job"
        indexes = (
            # Claiming: the due jobs of a queue, oldest first.
            Index(fields=("queue", "status", "run_at"), name="job_queue_status_run_at"),
            # Forgetting finished jobs after the retention period.
            Index(fields=("finished_at",), name="job_finished_at"),
        )
