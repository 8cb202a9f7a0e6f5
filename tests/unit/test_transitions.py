"""The lifecycle table says what the product brief says, and nothing else."""

from __future__ import annotations

from uuid import uuid4

import pytest

from models import OrganizationKind, OrganizationStatus
from resolvers.actors import Actor, Permission, Role
from resolvers.transitions import TRANSITIONS, change_status

# The product brief's "Lifecycle", row by row: operation -> (from, to, reason required).
LIFECYCLE = {
    "approve": ({"PENDING_APPROVAL"}, "ACTIVE", False),
    "reject": ({"PENDING_APPROVAL"}, "REJECTED", True),
    "suspend": ({"ACTIVE"}, "SUSPENDED", True),
    "block": ({"ACTIVE", "SUSPENDED"}, "BLOCKED", True),
    "reactivate": ({"SUSPENDED", "BLOCKED"}, "ACTIVE", False),
    "resubmit": ({"REJECTED"}, "PENDING_APPROVAL", False),
    "archive": ({"PENDING_APPROVAL", "REJECTED", "BLOCKED"}, "ARCHIVED", True),
}
# Statuses the table names before the enum has them (they arrive with their mutations).
COMING = {"SUSPENDED", "BLOCKED", "ARCHIVED"}


def test_the_table_is_the_lifecycle() -> None:
    table = {
        t.operation: (set(t.sources), t.target, t.reason_required) for t in TRANSITIONS.values()
    }
    assert table == LIFECYCLE


def test_every_status_it_names_exists_or_is_announced() -> None:
    named = {s for t in TRANSITIONS.values() for s in (*t.sources, t.target)}
    assert named - COMING <= set(OrganizationStatus.__members__)


def test_archived_is_final_and_only_approve_records_an_approval() -> None:
    assert not [t for t in TRANSITIONS.values() if "ARCHIVED" in t.sources]
    assert [t.operation for t in TRANSITIONS.values() if t.approves] == ["approve"]
    assert TRANSITIONS["approve"].permission is Permission.APPROVE_CUSTOMER
    assert TRANSITIONS["reject"].permission is Permission.REJECT_CUSTOMER


def test_the_note_field_follows_whether_a_reason_is_required() -> None:
    assert {t.operation: t.note_field for t in TRANSITIONS.values()} == {
        op: "reason" if reason else "comment" for op, (_, _, reason) in LIFECYCLE.items()
    }


@pytest.mark.parametrize("operation", ["suspend", "block", "archive"])
async def test_a_row_whose_status_is_not_there_yet_is_refused_before_any_read(
    operation: str,
) -> None:
    actor = Actor(
        subject="t",
        org_id=uuid4(),
        org_kind=OrganizationKind.DISTRIBUTOR,
        org_ancestors=(),
        roles=frozenset({Role.ADMIN}),
    )
    # No database is set up here: reaching the lookup would fail differently.
    with pytest.raises(NotImplementedError, match="no status"):
        await change_status(operation, actor=actor, id="x", note="a reason")
