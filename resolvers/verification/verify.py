"""verifyTaxId: queue a fresh check of a customer's tax ID now (e.g. after UNAVAILABLE)."""

from __future__ import annotations

from resolvers.actors import Actor, Permission
from resolvers.atomic import atomic
from resolvers.records import OrganizationRecord
from resolvers.transitions import actionable_customer
from resolvers.verification.checks import enqueue_verification
from settings import Settings


async def verify_tax_id(*, actor: Actor, id: str, settings: Settings) -> OrganizationRecord:
    """Who may create the customer may ask for a new check. A customer with no registry for
    its number, or whose check is under way, is left as it is (and answered as it is)."""
    customer = await actionable_customer(actor, id, Permission.CREATE_CUSTOMER)
    await atomic(
        lambda: enqueue_verification(
            organization_id=customer.id,
            tax_id=customer.tax_id,
            settings=settings,
            unless_pending=True,
        )
    )
    return customer
