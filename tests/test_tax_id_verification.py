"""Tax-ID verification against the registry simulator, through the API, on both databases."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from models import Job, Organization, TaxIdVerificationEvent
from resolvers import global_id
from resolvers.verification import enqueue_verification
from resolvers.webhooks.outbox import QUEUE as WEBHOOKS
from settings import Settings
from tests.api import Api
from tests.builders import SECOND, customer_input, numbered
from tests.conftest import ApiFactory
from tests.jobs import wait_for
from tests.queries import APPROVE
from tests.registries import Simulator, simulator

VERIFICATION = """status registry checkedAt consultationNumber registeredName registeredAddress
  attempts nextAttemptAt message"""
CREATE = f"""
mutation Create($input: CreateCustomerInput!) {{
  createCustomer(input: $input) {{
    customer {{ id taxIdVerification {{ {VERIFICATION} }} }}
    errors {{ field code message }}
  }}
}}
"""
STATE = f"""
query State($id: ID!) {{ organization(id: $id) {{ taxIdVerification {{ {VERIFICATION} }} }} }}
"""
VERIFY = f"""
mutation Verify($input: VerifyTaxIdInput!) {{
  verifyTaxId(input: $input) {{
    customer {{ id taxIdVerification {{ {VERIFICATION} }} }}
    errors {{ field code message }}
  }}
}}
"""
GB = customer_input(
    erpId="GB-1",
    taxId="GB980780684",
    registrationNumber="01234567",
    address={
        "country": "GB",
        "city": "London",
        "line1": "10 Downing Street",
        "postalCode": "SW1A 2AA",
    },
    contact={"phone": "+44 20 7946 0000"},
    currency="GBP",
)
US = customer_input(
    erpId="US-1",
    taxId="04-2103594",
    registrationNumber="1234567",
    address={
        "country": "US",
        "city": "Boston",
        "line1": "1 Main St",
        "state": "MA",
        "postalCode": "02108",
    },
    contact={"phone": "+1 617 555 0100"},
    currency="USD",
)
FAST_RETRIES = (0.05, 0.05)


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with simulator() as running:
        yield running


@pytest.fixture
def verifying(api_factory: ApiFactory, sim: Simulator) -> Any:
    """The app with its worker pointed at the simulator, retrying quickly."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Api]:
        sim.registries.reset()
        settings = {
            "vies_url": f"{sim.url}/vies",
            "hmrc_url": f"{sim.url}/hmrc",
            "hmrc_client_id": "simulator-client",
            "hmrc_client_secret": "simulator-secret",
            "verification_retry_seconds": FAST_RETRIES,
            "job_poll_seconds": 0.02,
            "jobs_in_server": True,
            **overrides,
        }
        async with api_factory(**settings) as api:
            yield api

    return start


async def _create(api: Api, data: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    token = api.token(api.world.reseller, "ACCOUNT_MANAGER")
    result = (await api.gql(CREATE, {"input": data or customer_input()}, token=token)).data
    payload = result["createCustomer"]
    assert payload["errors"] == [], payload["errors"]
    return payload["customer"]["id"], payload["customer"]["taxIdVerification"]


async def _state(api: Api, customer: str) -> dict[str, Any]:
    token = api.token(api.world.reseller, "VIEWER")
    return (await api.gql(STATE, {"id": customer}, token=token)).data["organization"][
        "taxIdVerification"
    ]


async def _settled(
    api: Api, customer: str, seconds: float = 20
) -> tuple[dict[str, Any], list[str]]:
    """Polls until the check is no longer PENDING; returns it and every status seen since the
    check started (PENDING, as createCustomer and verifyTaxId answer)."""
    seen = ["PENDING"]
    deadline = time.monotonic() + seconds
    while True:
        state = await _state(api, customer)
        if not seen or seen[-1] != state["status"]:
            seen.append(state["status"])
        if state["status"] != "PENDING":
            return state, seen
        assert time.monotonic() < deadline, f"still PENDING: {state}"
        await asyncio.sleep(0.03)


def _uuid(customer: str) -> Any:
    return global_id.decode_uuid(customer, "Organization")


async def test_a_new_customer_is_pending_then_verified_with_the_registry_s_proof(
    verifying: Any, sim: Simulator
) -> None:
    async with verifying(vies_requester_vat="NL810433941B01") as api:
        started = time.monotonic()
        customer, first = await _create(api)
        assert time.monotonic() - started < 2  # the answer does not wait for the registry
        # The worker may already hold it (attempt 1 under way); never a verdict yet.
        assert first["status"] == "PENDING" and first["attempts"] <= 1
        assert first["registry"] == "VIES" and first["consultationNumber"] is None
        state, seen = await _settled(api, customer)
        events = await TaxIdVerificationEvent.filter(organization_id=_uuid(customer)).values()
    assert seen == ["PENDING", "VERIFIED"]
    assert state["registry"] == "VIES"
    assert state["registeredName"] == "COPACO NEDERLAND B.V."
    assert state["registeredAddress"] == "HOEVENWEG 00021\n5652AW EINDHOVEN"
    assert state["consultationNumber"].startswith("WAPI")
    assert state["checkedAt"] and state["attempts"] == 1 and state["message"] is None
    assert state["nextAttemptAt"] is None
    [call] = sim.registries.calls_for("NL006486253B01")
    assert call["answer"] == "valid"
    # The verdict is recorded by the system: one event, no person behind it.
    [event] = events
    assert (event["status"], event["registry"], event["attempts"]) == ("VERIFIED", "VIES", 1)
    assert event["consultation_number"] == state["consultationNumber"]


async def test_only_the_registry_s_verdict_makes_a_number_invalid(
    verifying: Any, sim: Simulator
) -> None:
    async with verifying() as api:
        sim.registries.program("NL006486253B01", "invalid")
        customer, _ = await _create(api)
        state, seen = await _settled(api, customer)
    assert seen == ["PENDING", "INVALID"]
    assert (state["attempts"], state["message"], state["registeredName"]) == (1, None, None)
    assert state["checkedAt"] is not None


async def test_busy_then_valid_never_passes_through_invalid(verifying: Any, sim: Simulator) -> None:
    async with verifying(verification_retry_seconds=(0.05, 0.05, 0.05, 0.05)) as api:
        sim.registries.program("NL006486253B01", "busy", times=3)
        customer, _ = await _create(api)
        state, seen = await _settled(api, customer)
    assert seen == ["PENDING", "VERIFIED"]
    assert state["attempts"] == 4
    answers = [c["answer"] for c in sim.registries.calls_for("NL006486253B01")]
    assert answers == ["busy", "busy", "busy", "valid"]


async def test_pending_shows_attempts_next_attempt_and_the_last_error(
    verifying: Any, sim: Simulator
) -> None:
    async with verifying(verification_retry_seconds=(30.0,)) as api:
        sim.registries.program("NL006486253B01", "down")
        customer, _ = await _create(api)

        async def retrying() -> bool:
            return (await _state(api, customer))["message"] is not None

        await wait_for(retrying, what="a failed attempt")
        state = await _state(api, customer)
    assert (state["status"], state["attempts"], state["message"]) == (
        "PENDING",
        1,
        "MS_UNAVAILABLE",
    )
    assert state["nextAttemptAt"] is not None and state["checkedAt"] is None


async def test_always_down_ends_unavailable_and_verify_tax_id_starts_again(
    verifying: Any, sim: Simulator
) -> None:
    async with verifying() as api:
        sim.registries.program("NL006486253B01", "down")
        customer, _ = await _create(api)
        state, seen = await _settled(api, customer)
        assert seen == ["PENDING", "UNAVAILABLE"]
        assert (state["attempts"], state["message"], state["checkedAt"]) == (
            3,
            "MS_UNAVAILABLE",
            None,
        )
        [event] = await TaxIdVerificationEvent.filter(organization_id=_uuid(customer)).values()
        assert (event["status"], event["message"]) == ("UNAVAILABLE", "MS_UNAVAILABLE")

        sim.registries.program("NL006486253B01", "valid")
        token = api.token(api.world.reseller, "ACCOUNT_MANAGER")
        answer = (await api.gql(VERIFY, {"input": {"id": customer}}, token=token)).data[
            "verifyTaxId"
        ]
        assert answer["errors"] == []
        restarted = answer["customer"]["taxIdVerification"]
        # Started again: pending, the old message gone, the count from zero. The answer is
        # read after the write, and the server's own worker (polling every 20 ms) may have
        # claimed the new check by then, which counts its first attempt.
        assert (restarted["status"], restarted["message"]) == ("PENDING", None)
        assert restarted["attempts"] in (0, 1)
        state, _ = await _settled(api, customer)
    assert (state["status"], state["attempts"]) == ("VERIFIED", 1)


@pytest.mark.parametrize(
    ("setting", "code"),
    [
        ({"vies_url": "http://127.0.0.1:9/vies"}, "CONNECTION_FAILED"),
        ({"verification_timeout_seconds": 0.2}, "TIMEOUT"),
    ],
)
async def test_no_answer_at_all_is_retried_and_never_invalid(
    verifying: Any, sim: Simulator, setting: dict[str, Any], code: str
) -> None:
    async with verifying(**setting) as api:
        sim.registries.program("NL006486253B01", "slow", delay=5)
        customer, _ = await _create(api)
        state, seen = await _settled(api, customer)
    assert seen == ["PENDING", "UNAVAILABLE"]
    assert (state["message"], state["attempts"]) == (code, 3)


async def test_a_changed_tax_id_is_checked_again(verifying: Any, sim: Simulator) -> None:
    async with verifying() as api:
        customer, _ = await _create(api)
        await _settled(api, customer)
        # What updateCustomer does when the tax ID changes: the new number and a new check,
        # in one transaction.
        async with in_transaction():
            await Organization.filter(id=_uuid(customer)).update(tax_id=SECOND["taxId"])
            await enqueue_verification(
                organization_id=_uuid(customer), tax_id=SECOND["taxId"], settings=Settings()
            )
        pending = await _state(api, customer)
        assert (pending["status"], pending["consultationNumber"], pending["registeredName"]) == (
            "PENDING",
            None,
            None,
        )
        state, _ = await _settled(api, customer)
    assert state["status"] == "VERIFIED"
    assert len(sim.registries.calls_for(SECOND["taxId"])) == 1


async def test_countries_without_a_registry_make_no_call(verifying: Any, sim: Simulator) -> None:
    async with verifying(hmrc_client_id="", hmrc_client_secret="") as api:
        us, us_state = await _create(api, US)
        gb, gb_state = await _create(api, GB)  # HMRC needs credentials
        token = api.token(api.world.reseller, "ACCOUNT_MANAGER")
        again = (await api.gql(VERIFY, {"input": {"id": us}}, token=token)).data["verifyTaxId"]
        # A check is queued in its change's transaction: counted at once, nothing to wait for.
        jobs = await Job.exclude(queue=WEBHOOKS).count()  # the outbox queues its own jobs
    assert us_state["status"] == gb_state["status"] == "NOT_APPLICABLE"
    assert us_state["registry"] is None and us_state["attempts"] == 0
    assert (
        again["errors"] == []
        and again["customer"]["taxIdVerification"]["status"] == "NOT_APPLICABLE"
    )
    assert sim.registries.calls == [] and jobs == 0


async def test_gb_numbers_go_to_hmrc_with_oauth_credentials(verifying: Any, sim: Simulator) -> None:
    async with verifying(vies_requester_vat="GB980780684") as api:
        sim.registries.program(
            "GB980780684", "valid", name="HM TREASURY", address="1 HORSE GUARDS ROAD\nLONDON"
        )
        customer, _ = await _create(api, GB)
        state, seen = await _settled(api, customer)
    assert seen == ["PENDING", "VERIFIED"]
    assert (state["registry"], state["registeredName"]) == ("HMRC", "HM TREASURY")
    assert state["registeredAddress"] == "1 HORSE GUARDS ROAD\nLONDON"
    assert state["consultationNumber"]
    assert [c["registry"] for c in sim.registries.calls] == ["HMRC"]


async def test_hmrc_not_found_is_invalid_and_throttling_is_retried(
    verifying: Any, sim: Simulator
) -> None:
    async with verifying() as api:
        sim.registries.program("GB980780684", "busy", times=1, then="invalid", retry_after=0)
        customer, _ = await _create(api, GB)
        state, seen = await _settled(api, customer)
    assert seen == ["PENDING", "INVALID"] and state["attempts"] == 2


async def test_with_verification_off_every_customer_is_not_applicable(
    verifying: Any, sim: Simulator
) -> None:
    async with verifying(tax_id_verification=False) as api:
        customer, first = await _create(api)
        token = api.token(api.world.reseller, "ACCOUNT_MANAGER")
        await api.gql(VERIFY, {"input": {"id": customer}}, token=token)
        # Nothing queued (in the change's transaction), so no call can come later.
        jobs = await Job.exclude(queue=WEBHOOKS).count()
        state = await _state(api, customer)
    assert first["status"] == state["status"] == "NOT_APPLICABLE"
    assert sim.registries.calls == [] and jobs == 0


async def test_verify_tax_id_needs_a_visible_customer_and_the_create_permission(
    verifying: Any,
) -> None:
    async with verifying() as api:
        customer, _ = await _create(api)
        viewer = api.token(api.world.reseller, "VIEWER")
        other = api.token(api.world.other_reseller, "ADMIN")
        denied = (await api.gql(VERIFY, {"input": {"id": customer}}, token=viewer)).data[
            "verifyTaxId"
        ]
        hidden = (await api.gql(VERIFY, {"input": {"id": customer}}, token=other)).data[
            "verifyTaxId"
        ]
    assert [e["code"] for e in denied["errors"]] == ["FORBIDDEN"]
    assert [(e["code"], e["field"]) for e in hidden["errors"]] == [("NOT_FOUND", ["id"])]


async def test_approval_can_require_a_verified_tax_id(verifying: Any, sim: Simulator) -> None:
    async with verifying(
        approval_requires_verified_tax_id=True, verification_retry_seconds=(30.0,)
    ) as api:
        admin = api.token(api.world.reseller, "ADMIN")
        sim.registries.program("NL006486253B01", "down")
        waiting, _ = await _create(api)
        refused = (await api.gql(APPROVE, {"input": {"id": waiting}}, token=admin)).data
        verified, _ = await _create(api, SECOND)
        await _settled(api, verified)
        approved = (await api.gql(APPROVE, {"input": {"id": verified}}, token=admin)).data
        us, _ = await _create(api, US)
        not_applicable = (await api.gql(APPROVE, {"input": {"id": us}}, token=admin)).data
    assert [(e["code"], e["field"]) for e in refused["approveCustomer"]["errors"]] == [
        ("TAX_ID_NOT_VERIFIED", ["id"])
    ]
    assert approved["approveCustomer"]["customer"]["status"] == "ACTIVE"
    assert not_applicable["approveCustomer"]["customer"]["status"] == "ACTIVE"


async def test_a_burst_of_new_customers_respects_the_registry_s_concurrency(
    verifying: Any, sim: Simulator
) -> None:
    async with verifying(verification_concurrency=2) as api:
        token = api.token(api.world.reseller, "ACCOUNT_MANAGER")
        # Ten clients at a time: the in-process pool is small, and the registry's side is
        # what this test is about.
        clients = asyncio.Semaphore(10)

        async def create(n: int) -> Any:
            async with clients:
                return await api.gql(CREATE, {"input": numbered(n)}, token=token)

        results = await asyncio.gather(*(create(n) for n in range(200)))
        ids = [r.data["createCustomer"]["customer"]["id"] for r in results]
        for customer in ids[::20]:
            state, _ = await _settled(api, customer, seconds=60)
            assert state["status"] == "VERIFIED"
        await wait_for(_all_checked, seconds=60)
    assert len(sim.registries.calls) == 200
    assert sim.registries.peak["VIES"] == 2


async def _all_checked() -> bool:
    return not await Job.filter(status__in=["QUEUED", "RUNNING"]).exclude(queue=WEBHOOKS).exists()
