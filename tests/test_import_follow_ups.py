"""A customer an import creates is a customer like any other: its creation is audited (who,
which request), its tax ID is checked with the registry, and webhooks announce it, exactly as
for createCustomer, because the import goes through createCustomer's own path."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.api import Api
from tests.builders import customer_input
from tests.conftest import ApiFactory
from tests.imports import IMPORT, cells, csv_file, finished, multipart, rows_of
from tests.receiver import receiver
from tests.registries import simulator
from tests.webhooks import register

AUDIT = """
query Audit($id: ID!) {
  organization(id: $id) {
    taxIdVerification { status registry }
    auditLog(first: 10) {
      nodes { action requestId toStatus actor { subject organization { id } } }
    }
  }
}
"""


async def _verified(api: Api, token: str, customer: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        found = (await api.gql(AUDIT, {"id": customer}, token=token)).data["organization"]
        if found["taxIdVerification"]["status"] != "PENDING":
            return found  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.05)


async def test_an_imported_customer_is_audited_checked_and_announced(
    api_factory: ApiFactory,
) -> None:
    with simulator() as sim:
        async with (
            receiver() as hooks,
            api_factory(
                vies_url=f"{sim.url}/vies",
                verification_retry_seconds=(0.05, 0.05),
                webhook_allow_private=True,
                webhook_retry_seconds=(0.1, 0.1),
                webhook_timeout_seconds=1.0,
                job_poll_seconds=0.05,
                jobs_in_server=True,
            ) as api,
        ):
            await register(api, hooks.url)
            token = api.token(api.world.reseller, "ADMIN", sub="importer")
            response = await api.client.post(
                "/graphql",
                headers={"Authorization": f"Bearer {token}", "X-Request-ID": "upload-42"},
                **multipart(
                    IMPORT,
                    {"input": {"dryRun": False}},
                    csv_file([cells(customer_input())]),
                    "customers.csv",
                ),
            )
            import_id = response.json()["data"]["importCustomers"]["import"]["id"]
            assert (await finished(api, token, import_id))["createdCount"] == 1
            [row] = await rows_of(api, token, import_id)
            customer = row["customer"]["id"]
            found = await _verified(api, token, customer)
            announced = await hooks.wait(
                lambda got: (
                    {r.json["type"] for r in got}
                    >= {"customer.created", "customer.tax_id_verification_changed"}
                )
            )
    # Checked with the registry like any new customer.
    assert found["taxIdVerification"] == {"status": "VERIFIED", "registry": "VIES"}
    assert sim.registries.calls_for("NL006486253B01")
    # Its creation is in the audit log: who uploaded it, from which request.
    created = found["auditLog"]["nodes"][0]
    assert created == {
        "action": "CREATED",
        "requestId": "upload-42",
        "toStatus": "PENDING_APPROVAL",
        "actor": {"subject": "importer", "organization": {"id": api.world.reseller}},
    }
    # And webhooks announced it.
    [event] = [r.json for r in announced if r.json["type"] == "customer.created"]
    assert event["data"]["organization"]["id"] == customer
