"""A small GraphQL-over-HTTP client for tests, and the demo organizations they act in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx

from models import Organization, OrganizationKind
from resolvers import global_id
from resolvers.actors import Role
from resolvers.tokens import TokenService


@dataclass(frozen=True)
class World:
    """The seeded tree: one distributor and two resellers (global IDs)."""

    distributor: str
    reseller: str
    other_reseller: str

    @classmethod
    async def load(cls) -> World:
        dist = await Organization.get(kind=OrganizationKind.DISTRIBUTOR)
        resellers = await Organization.filter(kind=OrganizationKind.RESELLER).order_by("short_name")
        ids = [global_id.encode("Organization", o.id) for o in (dist, *resellers)]
        return cls(*ids)


class GraphQLResult(dict[str, Any]):
    @property
    def data(self) -> dict[str, Any]:
        assert "errors" not in self, self["errors"]
        return self["data"]


@dataclass
class Api:
    client: httpx.AsyncClient
    tokens: TokenService
    world: World
    # The ASGI app itself, for tests that drive it below httpx (which buffers bodies).
    app: Any = None

    def token(self, org: str, *roles: str, sub: str = "tester") -> str:
        org_id = global_id.decode_uuid(org, "Organization")
        assert isinstance(org_id, UUID)
        return self.tokens.mint(
            subject=sub, org_id=org_id, roles=[Role(r) for r in roles or ["ADMIN"]]
        )

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {"query": query, "variables": variables or {}}
        return await self.client.post("/graphql", json=body, headers=headers)

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> GraphQLResult:
        response = await self.post(query, variables, token=token)
        assert response.status_code == 200, response.text
        return GraphQLResult(response.json())
