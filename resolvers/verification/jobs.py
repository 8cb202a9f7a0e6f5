"""The verification queues and task, as the job registry runs them: one queue per registry
(its concurrency is that registry's), one shared HTTP client with the configured timeout."""

from __future__ import annotations

import httpx

from resolvers.jobs import JobContext, Queue, Registry, Task
from resolvers.verification.checks import QUEUES, TASK, give_up, run_check
from resolvers.verification.registries import (
    HMRC,
    VIES,
    HmrcCredentials,
    Verdict,
    check_hmrc,
    check_vies,
)
from settings import Settings


def register(registry: Registry, settings: Settings) -> None:
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.verification_timeout_seconds),
        headers={"User-Agent": "partner-portal (tax-ID verification)"},
        follow_redirects=False,
    )
    hmrc = HmrcCredentials(
        url=settings.hmrc_url.rstrip("/"),
        client_id=settings.hmrc_client_id,
        client_secret=settings.hmrc_client_secret,
    )
    vies_url = settings.vies_url.rstrip("/")

    async def check(registry_name: str, tax_id: str) -> Verdict:
        if registry_name == HMRC:
            return await check_hmrc(
                client, hmrc, tax_id=tax_id, requester=settings.vies_requester_vat
            )
        return await check_vies(
            client, url=vies_url, tax_id=tax_id, requester=settings.vies_requester_vat
        )

    async def run(ctx: JobContext) -> None:
        await run_check(ctx, check, settings.verification_timeout_seconds)

    registry.add(
        [
            Queue(
                QUEUES[name],
                concurrency=settings.verification_concurrency,
                lease_seconds=settings.job_lease_seconds,
            )
            for name in (VIES, HMRC)
        ],
        [Task(TASK, run, retry_delays=settings.verification_retry_seconds, on_give_up=give_up)],
    )
    registry.closers.append(client.aclose)
