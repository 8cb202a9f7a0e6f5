"""The tenancy rule is defined once (`resolvers.tenancy.scope`) and rendered twice, as a Tortoise
filter for lists and as SQL for lookups by ID; this proves both renderings pick the same rows
for every kind of actor, other resellers' customers (invisible to a reseller) included."""

from __future__ import annotations

from models import Organization
from resolvers import global_id, sql
from resolvers.actors import Role, load_actor
from resolvers.tenancy import visible, visible_sql
from tests.api import Api
from tests.builders import customer_input
from tests.queries import CREATE


async def test_filter_and_sql_forms_see_the_same_rows(api: Api) -> None:
    customers = []
    for reseller in (api.world.reseller, api.world.other_reseller):
        token = api.token(reseller, "ADMIN")
        result = await api.gql(CREATE, {"input": customer_input()}, token=token)
        customers.append(result.data["createCustomer"]["customer"]["id"])
    orgs = [api.world.distributor, api.world.reseller, api.world.other_reseller, *customers]
    seen_by_sizes = set()
    for org in orgs:
        org_id = global_id.decode_uuid(org, "Organization")
        assert org_id is not None
        actor = await load_actor(subject="t", org_id=org_id, roles=frozenset({Role.VIEWER}))
        assert actor is not None
        by_filter = set(await Organization.filter(visible(actor)).values_list("id", flat=True))
        condition, args = visible_sql(actor, 1)
        rows = await sql.fetch(f'SELECT "id" FROM "organization" WHERE {condition}', *args)
        by_sql = {Organization._meta.fields_map["id"].to_python_value(r["id"]) for r in rows}
        assert by_sql == by_filter, org
        seen_by_sizes.add(len(by_filter))
    # Distributor 5, resellers 3 (self, distributor, customer), customers 3 (self + ancestors).
    assert seen_by_sizes == {5, 3}
