"""What an audit entry shows: contact values only to readers who may read the contact, and
edits as the fields whose canonical value really changed."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from graph.organizations.types import AuditEntry
from models import AuditAction
from resolvers import audit

CHANGES = (
    audit.FieldChange("shortName", "Copaco", "Copaco NL"),
    audit.FieldChange("primaryContact.email", "jan@copaco.nl", "piet@copaco.nl"),
)
STORED = audit.StoredEntry(
    id=uuid4(),
    organization_id=uuid4(),
    action=AuditAction.UPDATED,
    version=2,
    occurred_at=datetime.now(UTC),
    actor_subject="editor",
    actor_org_id=uuid4(),
    request_id="r1",
    from_status=None,
    to_status=None,
    comment=None,
    changes=CHANGES,
)


def _shown(contacts: bool) -> list[tuple[str, str | None, str | None]]:
    entry = AuditEntry.from_stored(STORED, contacts=contacts)
    return [(c.field, c.old_value, c.new_value) for c in entry.changes]


def test_contact_values_are_shown_to_contact_readers() -> None:
    assert _shown(contacts=True) == [
        ("shortName", "Copaco", "Copaco NL"),
        ("primaryContact.email", "jan@copaco.nl", "piet@copaco.nl"),
    ]


def test_contact_values_are_hidden_from_others_but_the_change_is_not() -> None:
    assert _shown(contacts=False) == [
        ("shortName", "Copaco", "Copaco NL"),
        ("primaryContact.email", None, None),
    ]


def test_diff_keeps_only_real_changes_in_form_order() -> None:
    old = audit.canonical([("shortName", "A"), ("industry", AuditAction.CREATED), ("x", None)])
    new = audit.canonical([("shortName", "B"), ("industry", "CREATED"), ("x", None)])
    assert audit.diff(old, new) == (audit.FieldChange("shortName", "A", "B"),)
