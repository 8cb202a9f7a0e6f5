"""GraphiQL from the server itself, under a strict Content-Security-Policy.

The browser test drives Debian's Chromium with playwright-core (clients/admin-check/
graphiql-check.mjs): every request must stay on the server's origin, the CSP must not block
anything, and the organizations query must show its result. The screenshot lands in
artifacts/graphiql.png (docs/graphiql.png is a copy of one, for the README).
"""

from __future__ import annotations

import asyncio
import json

from server.graphiql import CSP, assets_installed
from tests import node
from tests.api import Api
from tests.builders import numbered
from tests.conftest import ApiFactory
from tests.queries import CREATE
from tests.server import ROOT
from tests.test_clients import running

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ARTIFACTS = ROOT / "artifacts"


async def test_the_page_loads_only_local_files_under_a_strict_csp(api: Api) -> None:
    page = await api.client.get("/graphql", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe" not in CSP
    assert "http://" not in page.text and "https://" not in page.text
    assert "<script>" not in page.text and "<style>" not in page.text  # nothing inline
    for path in ("/graphiql/graphiql-init.js", "/graphiql/page.css"):
        asset = await api.client.get(path)
        assert asset.status_code == 200, path


async def test_graphiql_switched_off_serves_no_page_and_no_files(
    api_factory: ApiFactory,
) -> None:
    async with api_factory(graphiql=False) as api:
        page = await api.client.get("/graphql", headers=BROWSER)
        assert not page.headers["content-type"].startswith("text/html")
        assert (await api.client.get("/graphiql/graphiql-init.js")).status_code == 404


async def test_chromium_runs_the_organizations_query_in_graphiql(api: Api, settings) -> None:
    node_path = node.node()
    chromium = node.chromium()
    if not assets_installed():
        node.missing("GraphiQL's files are not installed (bash scripts/graphiql-assets.sh)")
    token = api.token(api.world.reseller, "ADMIN", sub="graphiql")
    for n in (1, 2, 3):
        await api.gql(CREATE, {"input": numbered(n)}, token=token)
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "graphiql.png"
    screenshot.unlink(missing_ok=True)
    async with running(settings) as server:
        done = await asyncio.to_thread(
            node.run,
            node_path,
            "graphiql-check.mjs",
            env={
                "PORTAL_URL": f"{server.url}/graphql",
                "PORTAL_TOKEN": api.token(api.world.distributor, "ADMIN", sub="graphiql"),
                # The distributor's user acts in the reseller, as the page's example shows.
                "PORTAL_ORGANIZATION": api.world.reseller,
                "SCREENSHOT": str(screenshot),
                "EXPECT_TEXT": "Customer 003",
                "CHROMIUM": chromium,
            },
        )
    report = json.loads(done.stdout)
    assert report["foreignRequests"] == [] and report["consoleErrors"] == []
    assert report["csp"] == CSP
    listed = json.loads(report["result"])["data"]["organizations"]
    shown = {row["shortName"] for row in listed["nodes"]}
    assert {"Demo Distributor", "Customer 001", "Customer 003"} <= shown
    assert "Northwind Reseller" not in shown  # scoped to the selected reseller
    assert screenshot.stat().st_size > 10_000
