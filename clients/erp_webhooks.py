"""The ERP side of webhooks, as another team would write it: register an endpoint, then
receive signed `customer.*` events and apply each once.

    python clients/erp_webhooks.py register --url http://127.0.0.1:8000/graphql --token <JWT> \\
        --target https://erp.example.com/hooks/portal
        # prints {"endpoint": "...", "secret": "whsec_..."}: keep the secret
    ERP_WEBHOOK_SECRET=whsec_... python clients/erp_webhooks.py serve --port 9000

`serve` verifies every request with the Standard Webhooks library (401 when forged or stale),
acknowledges at once (2xx), skips a `webhook-id` it has seen (deliveries are at least once),
and prints one JSON line per applied event: what an ERP would upsert. Several secrets may be
given, comma-separated, while a rotation is under way.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

MAX_BODY = 1024 * 1024
REGISTER = """
mutation Register($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { endpoint { id } secret errors { field code message } }
}
"""


def apply(event: dict[str, Any]) -> dict[str, Any]:
    """What the ERP stores: its own number for the customer, and the portal's view of it."""
    organization = event["data"].get("organization") or {}
    return {
        "type": event["type"],
        "eventId": event["data"]["id"],
        "organization": organization.get("id"),
        "erpId": organization.get("erpId"),
        "status": organization.get("status"),
        "toStatus": event["data"].get("toStatus"),
    }


def make_handler(secrets: list[str]) -> type[BaseHTTPRequestHandler]:
    verifiers = [Webhook(s) for s in secrets]
    seen: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self.send_response(413)
                self.end_headers()
                return
            body = self.rfile.read(length)
            headers = {k: v for k, v in self.headers.items()}
            event = None
            for verifier in verifiers:
                try:
                    event = verifier.verify(body, headers)
                    break
                except WebhookVerificationError:
                    continue
            if event is None:
                self.send_response(401)
                self.end_headers()
                return
            webhook_id = headers.get("webhook-id") or headers.get("Webhook-Id", "")
            if webhook_id not in seen:  # a retry of what we already applied: just say yes
                seen.add(webhook_id)
                print(json.dumps(apply(event)), flush=True)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # stdout is for applied events only

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    register = commands.add_parser("register", help="register this receiver's URL")
    register.add_argument("--url", required=True, help="the portal's GraphQL URL")
    register.add_argument("--token", required=True, help="an ADMIN token")
    register.add_argument("--target", required=True, help="where the portal should POST")
    serve = commands.add_parser("serve", help="receive webhooks (secret: ERP_WEBHOOK_SECRET)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=9000)
    args = parser.parse_args(argv)
    if args.command == "register":
        variables = {
            "input": {
                "url": args.target,
                "events": ["CUSTOMER_CREATED", "CUSTOMER_UPDATED", "CUSTOMER_STATUS_CHANGED"],
                "description": "ERP sync",
            }
        }
        response = httpx.post(
            args.url,
            json={"query": REGISTER, "variables": variables},
            headers={"Authorization": f"Bearer {args.token}"},
            timeout=30,
        )
        payload = response.json()["data"]["createWebhookEndpoint"]
        if payload["errors"]:
            print(json.dumps(payload["errors"]), file=sys.stderr)
            return 1
        print(json.dumps({"endpoint": payload["endpoint"]["id"], "secret": payload["secret"]}))
        return 0
    secrets = [s.strip() for s in os.environ.get("ERP_WEBHOOK_SECRET", "").split(",") if s.strip()]
    if not secrets:
        print("Set ERP_WEBHOOK_SECRET to the endpoint's secret (whsec_...).", file=sys.stderr)
        return 2
    server = ThreadingHTTPServer((args.host, args.port), make_handler(secrets))
    print(f"listening on http://{args.host}:{args.port}/", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
