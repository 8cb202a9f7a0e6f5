"""The model enums, registered with GraphQL under the same names.

`strawberry.enum` registers a class in place and returns it, so these names are the model's
own classes (type checkers see real enums, and values pass between layers unconverted).
"""

import strawberry

from models import (
    AuditAction,
    ImportRowStatus,
    ImportStatus,
    Industry,
    OrganizationKind,
    OrganizationStatus,
)
from resolvers.actors import Permission, Role

strawberry.enum(
    OrganizationKind,
    description="Place in the tree: one DISTRIBUTOR, its RESELLERs, their CUSTOMERs.",
)
strawberry.enum(
    OrganizationStatus,
    description="Lifecycle: PENDING_APPROVAL, then ACTIVE (approved) or REJECTED; an ACTIVE "
    "customer may be SUSPENDED or BLOCKED and reactivated; ARCHIVED is final.",
)
strawberry.enum(
    AuditAction,
    description="What an audit entry records: CREATED, UPDATED (fields), STATUS_CHANGED, "
    "TAX_ID_VERIFICATION (a verdict of the tax authority, recorded by the system).",
)
strawberry.enum(Industry, description="The customer's sector.")
strawberry.enum(
    ImportStatus,
    description="QUEUED, RUNNING, COMPLETED (every row handled; some may have failed), "
    "FAILED (the file could not be read).",
)
strawberry.enum(
    ImportRowStatus,
    description="PENDING (not handled yet), CREATED, VALID (a dry run's row that would be "
    "created), FAILED, DUPLICATE (a customer with its ERP ID, tax ID or registration number "
    "exists, or an earlier row of the file has it).",
)
strawberry.enum(Role, description="A person's role inside one organization.")
strawberry.enum(Permission, description="What the viewer's roles allow.")

__all__ = [
    "AuditAction",
    "ImportRowStatus",
    "ImportStatus",
    "Industry",
    "OrganizationKind",
    "OrganizationStatus",
    "Permission",
    "Role",
]
