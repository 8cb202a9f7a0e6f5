"""Every queue and task the application runs: the one place a new kind of job is added."""

from __future__ import annotations

from resolvers.imports import customer_imports
from resolvers.jobs.registry import Registry
from resolvers.jobs.worker import Worker
from resolvers.verification import jobs as verification
from resolvers.webhooks import delivery as webhooks
from settings import Settings


def build_registry(settings: Settings, *, render: webhooks.Render) -> Registry:
    """`render` shows an organization as the API shows it to another (the GraphQL layer's
    `graph.webhooks.payload.renderer`): webhook bodies hold exactly that."""
    registry = Registry()
    verification.register(registry, settings)
    webhooks.register(registry, settings, render)
    queue, task = customer_imports.import_task(
        customer_imports.limits(settings), lease_seconds=settings.job_lease_seconds
    )
    registry.add([queue], [task])
    return registry


def build_worker(settings: Settings, *, render: webhooks.Render) -> Worker:
    return Worker(
        build_registry(settings, render=render),
        poll_seconds=settings.job_poll_seconds,
        retention_seconds=settings.job_retention_seconds,
    )
