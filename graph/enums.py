"""The model enums, exposed to GraphQL under the same names."""

import strawberry

from models import Industry as _Industry
from models import OrganizationKind as _Kind
from models import OrganizationStatus as _Status
from resolvers.actors import Permission as _Permission
from resolvers.actors import Role as _Role

OrganizationKind = strawberry.enum(
    _Kind, description="Place in the tree: one DISTRIBUTOR, its RESELLERs, their CUSTOMERs."
)
OrganizationStatus = strawberry.enum(
    _Status, description="Lifecycle: PENDING_APPROVAL, then ACTIVE (approved) or REJECTED."
)
Industry = strawberry.enum(_Industry, description="The customer's sector.")
Role = strawberry.enum(_Role, description="A person's role inside one organization.")
Permission = strawberry.enum(_Permission, description="What the viewer's roles allow.")
