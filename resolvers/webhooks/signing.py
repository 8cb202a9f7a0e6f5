"""Secrets and signatures as the Standard Webhooks spec defines them, through its library.

A secret is `whsec_` + base64 of 32 random bytes. While an old secret is in its grace period
after a rotation, `webhook-signature` carries a signature with each (space-separated), and a
receiver holding either secret verifies the message.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks import Webhook

SECRET_BYTES = 32


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def headers(
    *, message_id: str, timestamp: datetime, body: str, secrets_: Sequence[str]
) -> dict[str, str]:
    signatures = " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body)
        for secret in secrets_
    )
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
    }
