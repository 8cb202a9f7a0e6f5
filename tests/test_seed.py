"""The demo seed writes what the API writes: each organization's creation is in its history
and its audit log with the same fields a customer's creation has, and has its event."""

from __future__ import annotations

import json
from typing import Any

from models import Event, EventType, Job
from resolvers import global_id
from resolvers.webhooks.outbox import FANOUT_TASK
from tests.api import Api
from tests.builders import customer_input
from tests.queries import CREATE

TRAIL = """
query Trail($id: ID!) {
  organization(id: $id) {
    status version createdBy
    history { nodes { fromStatus toStatus comment actor { subject organization { id } } } }
    auditLog { nodes { action fromStatus toStatus comment changes { field }
      actor { subject organization { id } } } }
  }
}
"""


async def _trail(api: Api, id: str) -> dict[str, Any]:
    token = api.token(api.world.distributor, "ADMIN")
    found: dict[str, Any] = (await api.gql(TRAIL, {"id": id}, token=token)).data["organization"]
    return found


async def test_seeded_organizations_have_a_creation_like_a_customer_made_through_the_api(
    api: Api,
) -> None:
    token = api.token(api.world.reseller, "ADMIN", sub="creator")
    created = await api.gql(CREATE, {"input": customer_input()}, token=token)
    customer = await _trail(api, created.data["createCustomer"]["customer"]["id"])
    seeded_by = {"subject": "portal seed", "organization": {"id": api.world.distributor}}

    for org in (api.world.distributor, api.world.reseller, api.world.other_reseller):
        seeded = await _trail(api, org)
        assert (seeded["status"], seeded["version"], seeded["createdBy"]) == (
            "ACTIVE",
            1,
            "portal seed",
        )
        [history] = seeded["history"]["nodes"]
        [entry] = seeded["auditLog"]["nodes"]
        # The same shape as the customer's creation, with the seed as the actor.
        assert history == {
            **customer["history"]["nodes"][0],
            "toStatus": "ACTIVE",
            "actor": seeded_by,
        }
        assert entry == {
            **customer["auditLog"]["nodes"][0],
            "toStatus": "ACTIVE",
            "actor": seeded_by,
        }

        uuid = global_id.decode_uuid(org, "Organization")
        [event] = await Event.filter(organization_id=uuid).values("id", "type")
        assert event["type"] == EventType.CUSTOMER_CREATED  # what audit.rows() writes for CREATED
        stored = await Job.filter(task=FANOUT_TASK).values_list("payload", flat=True)
        fanouts = [json.loads(p) if isinstance(p, str) else p for p in stored]
        assert {"event": str(event["id"])} in fanouts  # and its fan-out to webhooks
