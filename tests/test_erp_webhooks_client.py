"""clients/erp_webhooks.py, the ERP's receiver, against a real server: it registers itself,
receives the demo flow's signed customer.* webhooks, verifies them and applies each once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import httpx

from settings import Settings
from tests.api import Api
from tests.builders import numbered
from tests.conftest import TEST_KEY
from tests.queries import APPROVE, CREATE
from tests.server import ROOT, Server, free_port

CLIENT = str(ROOT / "clients" / "erp_webhooks.py")


def _lines(process: subprocess.Popen[str], count: int, seconds: float = 30) -> list[dict]:
    assert process.stdout is not None
    found: list[dict] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        line = process.stdout.readline()
        if line:
            found.append(json.loads(line))
    return found


async def _post_when_listening(client: httpx.AsyncClient, port: int) -> httpx.Response:
    """The receiver is a fresh process: wait until it accepts connections, then send a forgery."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return await client.post(
                f"http://127.0.0.1:{port}/hooks",
                content=b'{"type":"customer.created"}',
                headers={"webhook-id": "x", "webhook-timestamp": str(int(time.time())),
                         "webhook-signature": "v1,AAAA"},
            )  # fmt: skip
        except httpx.ConnectError:
            assert time.monotonic() < deadline, "the receiver never listened"
            await asyncio.sleep(0.05)


async def test_the_erp_receiver_gets_the_demo_flow_signed(api: Api, settings: Settings) -> None:
    server = Server(
        {
            "PORTAL_DATABASE_URL": settings.database_url,
            "PORTAL_JWT_KEY": TEST_KEY,
            "PORTAL_WEBHOOK_ALLOW_PRIVATE": "true",
            "PORTAL_JOB_POLL_SECONDS": "0.05",
            "PORTAL_ACCESS_LOG": "false",
        }
    )
    await asyncio.to_thread(server.start)
    port = free_port()
    token = api.token(api.world.reseller, "ADMIN", sub="erp")
    try:
        registered = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, CLIENT, "register", "--url", f"{server.url}/graphql",
             "--token", token, "--target", f"http://127.0.0.1:{port}/hooks"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert registered.returncode == 0, registered.stderr
        secret = json.loads(registered.stdout)["secret"]
        receiver = await asyncio.to_thread(
            subprocess.Popen,
            [sys.executable, CLIENT, "serve", "--port", str(port)],
            env={**os.environ, "ERP_WEBHOOK_SECRET": secret},
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                headers = {"Authorization": f"Bearer {token}"}
                body = {"query": CREATE, "variables": {"input": numbered(1)}}
                created = (await client.post("/graphql", json=body, headers=headers)).json()
                customer = created["data"]["createCustomer"]["customer"]["id"]
                body = {"query": APPROVE, "variables": {"input": {"id": customer}}}
                await client.post("/graphql", json=body, headers=headers)
                # A forged request is refused (once the receiver process listens).
                forged = await _post_when_listening(client, port)
                assert forged.status_code == 401
            applied = await asyncio.to_thread(_lines, receiver, 2)
        finally:
            receiver.terminate()
            receiver.wait(timeout=10)
            assert receiver.stdout is not None
            receiver.stdout.close()
    finally:
        await asyncio.to_thread(server.stop)
    assert [(a["type"], a["organization"], a["erpId"]) for a in applied] == [
        ("customer.created", customer, "ERP-001"),
        ("customer.status_changed", customer, "ERP-001"),
    ]
    assert applied[1]["toStatus"] == "ACTIVE"
