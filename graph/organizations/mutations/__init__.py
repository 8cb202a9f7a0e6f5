"""The organization mutations, one module per mutation; each adds its class here.

Each resolver checks its own permission and answers FORBIDDEN in the payload, so a caller
lacking a role gets the same shape whichever role it lacks (hence `permission=None`).
"""

from __future__ import annotations

import strawberry

from graph.organizations.mutations.approve_customer import ApproveCustomerMutation
from graph.organizations.mutations.create_customer import CreateCustomerMutation
from graph.organizations.mutations.reject_customer import RejectCustomerMutation
from graph.organizations.mutations.update_customer import UpdateCustomerMutation


@strawberry.type
class OrganizationMutations(
    CreateCustomerMutation,
    UpdateCustomerMutation,
    ApproveCustomerMutation,
    RejectCustomerMutation,
):
    pass
