"""GraphQL documents shared by the HTTP tests."""

ORG_FIELDS = """
  id kind status shortName fullName erpId registrationNumber taxId currency industry
  createdAt createdBy approvedAt approvedBy
  parent { id shortName }
  primaryAddress { country city state line1 line2 postalCode formatted }
  primaryContact { firstName lastName role email phone phoneFormatted }
"""

CREATE = f"""
mutation Create($input: CreateCustomerInput!) {{
  createCustomer(input: $input) {{
    customer {{ {ORG_FIELDS} }}
    replayed
    errors {{ field code message }}
  }}
}}
"""

APPROVE = f"""
mutation Approve($input: ApproveCustomerInput!) {{
  approveCustomer(input: $input) {{
    customer {{ {ORG_FIELDS} history {{ totalCount nodes {{ fromStatus toStatus comment
      occurredAt requestId actor {{ subject organization {{ id }} }} }} }} }}
    errors {{ field code message }}
  }}
}}
"""

REJECT = """
mutation Reject($input: RejectCustomerInput!) {
  rejectCustomer(input: $input) {
    customer { id status approvedAt history { nodes { fromStatus toStatus comment } } }
    errors { field code message }
  }
}
"""

LIST = """
query List($filter: OrganizationFilter, $sorting: [OrganizationSort!], $paging: OffsetPaging,
           $first: Int, $after: String, $last: Int, $before: String) {
  organizations(filter: $filter, sorting: $sorting, paging: $paging,
                first: $first, after: $after, last: $last, before: $before) {
    nodes { id shortName status kind }
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

COUNTS = """
query Counts($filter: OrganizationFilter) {
  organizations(filter: $filter) { totalCount countsByStatus { status count } }
}
"""

ORGANIZATION = f"""
query One($id: ID!) {{ organization(id: $id) {{ {ORG_FIELDS} }} }}
"""

VALIDATE = """
query Validate($input: CreateCustomerInput!) {
  validateCustomer(input: $input) {
    valid
    errors { field code message }
    normalized {
      taxId registrationNumber primaryAddress { postalCode } primaryContact { phone email }
    }
  }
}
"""
