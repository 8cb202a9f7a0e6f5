"""The organization mutations, one module per mutation; each adds its class here.

Each resolver checks its own permission and answers FORBIDDEN in the payload, so a caller
lacking a role gets the same shape whichever role it lacks (hence `permission=None`).
"""

from __future__ import annotations

import strawberry

from graph.organizations.mutations.approve_customer import ApproveCustomerMutation
from graph.organizations.mutations.archive_customer import ArchiveCustomerMutation
from graph.organizations.mutations.block_customer import BlockCustomerMutation
from graph.organizations.mutations.create_customer import CreateCustomerMutation
from graph.organizations.mutations.reactivate_customer import ReactivateCustomerMutation
from graph.organizations.mutations.reject_customer import RejectCustomerMutation
from graph.organizations.mutations.resubmit_customer import ResubmitCustomerMutation
from graph.organizations.mutations.suspend_customer import SuspendCustomerMutation
from graph.organizations.mutations.update_customer import UpdateCustomerMutation


@strawberry.type
class OrganizationMutations(
    CreateCustomerMutation,
    UpdateCustomerMutation,
    ApproveCustomerMutation,
    RejectCustomerMutation,
    SuspendCustomerMutation,
    BlockCustomerMutation,
    ReactivateCustomerMutation,
    ResubmitCustomerMutation,
    ArchiveCustomerMutation,
):
    pass
