"""Idempotency keys (generic, used by createCustomer): replays, reuse with other input or for
another operation, scope, expiry, races."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from models import IdempotencyRecord, Organization, OrganizationKind
from resolvers import global_id, idempotency
from resolvers.errors import IdempotencyKeyReused
from resolvers.idempotency import purge_expired
from tests.api import Api
from tests.builders import SECOND, customer_input, numbered
from tests.conftest import ApiFactory
from tests.queries import CREATE


async def _create(api: Api, token: str, data: dict[str, object]) -> dict[str, object]:
    return (await api.gql(CREATE, {"input": data}, token=token)).data["createCustomer"]


async def _customers() -> int:
    return await Organization.filter(kind=OrganizationKind.CUSTOMER).count()


async def test_a_replay_returns_the_same_customer_and_says_so(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    first = await _create(api, token, customer_input(idempotencyKey="k1"))
    second = await _create(api, token, customer_input(idempotencyKey="k1"))
    assert first["errors"] == second["errors"] == []
    assert (first["replayed"], second["replayed"]) == (False, True)
    assert second["customer"] == first["customer"]
    assert await _customers() == 1


async def test_the_key_is_matched_on_normalized_input(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    await _create(api, token, customer_input(idempotencyKey="k1"))
    same_meaning = customer_input(
        idempotencyKey="k1", taxId="NL 0064.86.253.B01", address={"postalCode": "5652 aw"}
    )
    again = await _create(api, token, same_meaning)
    assert again["replayed"] is True


async def test_the_same_key_with_other_input_is_refused(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    await _create(api, token, customer_input(idempotencyKey="k1"))
    other = await _create(api, token, customer_input(SECOND, idempotencyKey="k1"))
    assert [(e["field"], e["code"]) for e in other["errors"]] == [
        (["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED")
    ]
    assert await _customers() == 1


async def test_a_failed_request_is_not_remembered(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    broken = await _create(api, token, customer_input(idempotencyKey="k1", taxId="NL1"))
    assert broken["errors"]
    fixed = await _create(api, token, customer_input(idempotencyKey="k1"))
    assert fixed["errors"] == [] and fixed["replayed"] is False


async def test_keys_are_scoped_to_the_callers_organization(api: Api) -> None:
    mine = api.token(api.world.reseller, "ADMIN")
    theirs = api.token(api.world.other_reseller, "ADMIN")
    a = await _create(api, mine, customer_input(idempotencyKey="shared"))
    b = await _create(api, theirs, customer_input(idempotencyKey="shared"))
    assert b["replayed"] is False and b["customer"]["id"] != a["customer"]["id"]
    assert await _customers() == 2


async def test_blank_and_oversized_keys_are_field_errors(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    for key, code in ((" ", "REQUIRED"), ("k" * 256, "TOO_LONG"), ("a\x00b", "INVALID_FORMAT")):
        payload = await _create(api, token, customer_input(idempotencyKey=key))
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["idempotencyKey"], code)]
    assert await _customers() == 0


async def test_expired_keys_are_forgotten_and_purged(api_factory: ApiFactory) -> None:
    async with api_factory(idempotency_ttl_seconds=0) as api:
        token = api.token(api.world.reseller, "ADMIN")
        await _create(api, token, customer_input(idempotencyKey="k1"))
        # Expired: the key no longer replays, so the same form now meets the duplicate check.
        again = await _create(api, token, customer_input(idempotencyKey="k1"))
        assert {e["code"] for e in again["errors"]} == {"DUPLICATE"}
        # A different customer may take over the expired key.
        other = await _create(api, token, customer_input(SECOND, idempotencyKey="k1"))
        assert other["errors"] == [] and other["replayed"] is False
        assert await IdempotencyRecord.filter(key="k1").count() == 1
        # Remembering a key drops the caller's expired ones.
        third = await _create(api, token, numbered(1) | {"idempotencyKey": "k2"})
        assert third["errors"] == []
        assert await IdempotencyRecord.filter(key="k1").count() == 0
        assert await purge_expired(datetime.now(UTC) + timedelta(seconds=1)) == 1
        assert await IdempotencyRecord.all().count() == 0


async def test_concurrent_retries_with_one_key_create_one_customer(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    results = await asyncio.gather(
        *(_create(api, token, customer_input(idempotencyKey="burst")) for _ in range(8))
    )
    assert all(r["errors"] == [] for r in results), results
    assert len({r["customer"]["id"] for r in results}) == 1
    assert sorted(r["replayed"] for r in results) == [False] + [True] * 7
    assert await _customers() == 1


async def test_concurrent_creates_with_one_erp_id_give_one_customer(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    forms = [customer_input(SECOND if i % 2 else None, erpId="SAME") for i in range(6)]
    results = await asyncio.gather(*(_create(api, token, form) for form in forms))
    winners = [r for r in results if not r["errors"]]
    assert len(winners) == 1
    for loser in (r for r in results if r["errors"]):
        assert ["erpId"] in [e["field"] for e in loser["errors"]]
        assert {e["code"] for e in loser["errors"]} == {"DUPLICATE"}
    assert await _customers() == 1


async def test_keys_are_trimmed_like_other_text(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    first = await _create(api, token, customer_input(idempotencyKey=" k1 "))
    again = await _create(api, token, customer_input(idempotencyKey="k1"))
    assert again["replayed"] is True
    assert again["customer"]["id"] == first["customer"]["id"]


async def test_a_distributor_key_is_one_request_whatever_the_reseller(api: Api) -> None:
    token = api.token(api.world.distributor, "ADMIN")
    here = customer_input(idempotencyKey="d1", resellerId=api.world.reseller)
    there = customer_input(idempotencyKey="d1", resellerId=api.world.other_reseller)
    assert (await _create(api, token, here))["errors"] == []
    reused = await _create(api, token, there)
    assert [e["code"] for e in reused["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert await _customers() == 1


async def test_a_key_names_its_operation_and_its_result(api: Api) -> None:
    """The resolver is generic: a key remembered for createCustomer answers with its result for
    that operation only; the same key for any other operation is a reuse."""
    token = api.token(api.world.reseller, "ADMIN")
    created = await _create(api, token, customer_input(idempotencyKey="k-op"))
    scope = global_id.decode_uuid(api.world.reseller, "Organization")
    assert scope is not None
    record = await IdempotencyRecord.get(key="k-op")
    now = datetime.now(UTC)
    # What createCustomer asked for, rebuilt from the row: the same fingerprint finds it.
    same = idempotency.Key(scope, "createCustomer", "k-op", record.request_hash)
    result = await idempotency.find_replay(same, now=now)
    assert global_id.encode("Organization", result) == created["customer"]["id"]
    other = idempotency.Key.of(
        scope=scope, operation="updateCustomer", value="k-op", request={"id": "x"}
    )
    with pytest.raises(IdempotencyKeyReused):
        await idempotency.find_replay(other, now=now)
    elsewhere = idempotency.Key(uuid4(), "createCustomer", "k-op", record.request_hash)
    assert await idempotency.find_replay(elsewhere, now=now) is None  # scoped to its org


def test_fingerprints_name_the_operation() -> None:
    request = {"reseller": str(uuid4()), "name": "Acme"}
    assert idempotency.fingerprint("a", request) == idempotency.fingerprint("a", dict(request))
    assert idempotency.fingerprint("a", request) != idempotency.fingerprint("b", request)
