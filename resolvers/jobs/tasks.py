"""Every queue and task the application runs: the one place a new kind of job is added."""

from __future__ import annotations

from resolvers.imports import customer_imports
from resolvers.jobs.registry import Registry
from resolvers.jobs.worker import Worker
from resolvers.verification import jobs as verification
from settings import Settings


def build_registry(settings: Settings) -> Registry:
    registry = Registry()
    verification.register(registry, settings)
    queue, task = customer_imports.import_task(
        customer_imports.limits(settings), lease_seconds=settings.job_lease_seconds
    )
    registry.add([queue], [task])
    return registry


def build_worker(settings: Settings) -> Worker:
    return Worker(
        build_registry(settings),
        poll_seconds=settings.job_poll_seconds,
        retention_seconds=settings.job_retention_seconds,
    )
