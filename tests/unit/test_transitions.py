"""The lifecycle table says what the product brief says, and nothing else."""

from __future__ import annotations

from models import OrganizationStatus
from resolvers.actors import Permission
from resolvers.transitions import TRANSITIONS

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


def test_the_table_is_the_lifecycle() -> None:
    table = {
        t.operation: (set(t.sources), t.target, t.reason_required) for t in TRANSITIONS.values()
    }
    assert table == LIFECYCLE


def test_every_status_is_in_the_table_and_exists() -> None:
    named = {s for t in TRANSITIONS.values() for s in (*t.sources, t.target)}
    assert named == set(OrganizationStatus.__members__)


def test_archived_is_final_and_only_approve_records_an_approval() -> None:
    assert not [t for t in TRANSITIONS.values() if "ARCHIVED" in t.sources]
    assert [t.operation for t in TRANSITIONS.values() if t.approves] == ["approve"]
    assert TRANSITIONS["approve"].permission is Permission.APPROVE_CUSTOMER
    assert TRANSITIONS["reject"].permission is Permission.REJECT_CUSTOMER


def test_the_note_field_follows_whether_a_reason_is_required() -> None:
    assert {t.operation: t.note_field for t in TRANSITIONS.values()} == {
        op: "reason" if reason else "comment" for op, (_, _, reason) in LIFECYCLE.items()
    }
