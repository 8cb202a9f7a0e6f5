"""The tax registries over HTTP: VIES (EU member states and XI) and HMRC (GB).

Each check returns a `Verdict` only when the registry said so explicitly: VIES's boolean
`valid`, HMRC's record or its NOT_FOUND. Everything else — an error code (MS_UNAVAILABLE,
MS_MAX_CONCURRENT_REQ, ...), a 4xx/5xx, a timeout, a refused connection, an answer we cannot
read — raises `NoAnswer` with a short code, and the job tries again later; `busy` says the
registry asked us to slow down (with `retry_after` when it said for how long).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

VIES, HMRC = "VIES", "HMRC"
# VIES answers for the EU member states (Greece as EL) and Northern Ireland (XI).
VIES_PREFIXES = frozenset(
    "AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI".split()
)
BUSY_CODES = frozenset({"MS_MAX_CONCURRENT_REQ", "GLOBAL_MAX_CONCURRENT_REQ", "HTTP_429"})
MAX_ANSWER_BYTES = 64 * 1024
MAX_RETRY_AFTER_SECONDS = 3600.0
_CODE = re.compile(r"^[A-Z0-9_]{1,64}$")


@dataclass(frozen=True, slots=True)
class Verdict:
    valid: bool
    name: str | None = None
    address: str | None = None
    consultation_number: str | None = None


class NoAnswer(Exception):
    def __init__(self, code: str, *, retry_after: float | None = None) -> None:
        # Remote codes become metric labels and log fields: only well-formed codes pass.
        self.code = code if _CODE.match(code) else "REGISTRY_ERROR"
        super().__init__(self.code)
        self.retry_after = retry_after
        self.busy = self.code in BUSY_CODES


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    # VIES writes "---" where a member state does not disclose the name or address.
    return value[:limit] if value and value != "---" else None


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after", "").strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(raw).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


async def _send(client: httpx.AsyncClient, request: httpx.Request) -> tuple[httpx.Response, Any]:
    """The response and its JSON body (None when it has none we can read)."""
    try:
        response = await client.send(request)
    except httpx.TimeoutException as error:
        raise NoAnswer("TIMEOUT") from error
    except httpx.HTTPError as error:  # refused, reset, DNS, TLS, protocol
        raise NoAnswer("CONNECTION_FAILED") from error
    body: Any = None
    if len(response.content) <= MAX_ANSWER_BYTES:
        try:
            body = response.json()
        except ValueError:
            body = None
    return response, body


def _unless_ok(response: httpx.Response) -> None:
    if not 200 <= response.status_code < 300:
        raise NoAnswer(f"HTTP_{response.status_code}", retry_after=_retry_after(response))


async def check_vies(
    client: httpx.AsyncClient, *, url: str, tax_id: str, requester: str = ""
) -> Verdict:
    body = {"countryCode": tax_id[:2], "vatNumber": tax_id[2:]}
    if requester:  # makes VIES return a consultation number (requestIdentifier)
        body |= {"requesterMemberStateCode": requester[:2], "requesterNumber": requester[2:]}
    response, data = await _send(
        client, client.build_request("POST", f"{url}/check-vat-number", json=body)
    )
    _unless_ok(response)
    if not isinstance(data, dict):
        raise NoAnswer("INVALID_ANSWER")
    wrappers = data.get("errorWrappers")
    if isinstance(wrappers, list) and wrappers:
        first = wrappers[0] if isinstance(wrappers[0], dict) else {}
        raise NoAnswer(str(first.get("error") or "REGISTRY_ERROR"))
    user_error = data.get("userError")
    if isinstance(user_error, str) and user_error not in {"VALID", "INVALID"}:
        raise NoAnswer(user_error)
    valid = data.get("valid")
    if not isinstance(valid, bool):
        raise NoAnswer("INVALID_ANSWER")
    return Verdict(
        valid=valid,
        name=_text(data.get("name"), 255) if valid else None,
        address=_text(data.get("address"), 1000) if valid else None,
        consultation_number=_text(data.get("requestIdentifier"), 64),
    )


class HmrcCredentials:
    """OAuth client credentials, exchanged for an access token that is reused until shortly
    before it expires (one exchange at a time, however many checks run)."""

    def __init__(self, *, url: str, client_id: str, client_secret: str) -> None:
        self.url, self.client_id, self.client_secret = url, client_id, client_secret
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def token(self, client: httpx.AsyncClient) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() >= self._expires:
                form = {
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                }
                request = client.build_request("POST", f"{self.url}/oauth/token", data=form)
                response, data = await _send(client, request)
                _unless_ok(response)
                token = data.get("access_token") if isinstance(data, dict) else None
                if not isinstance(token, str) or not token:
                    raise NoAnswer("OAUTH_FAILED")
                lifetime = (
                    data.get("expires_in") if isinstance(data.get("expires_in"), int) else 3600
                )
                self._token, self._expires = token, time.monotonic() + max(lifetime - 60, 30)
            return self._token

    def forget(self) -> None:
        self._token = None


async def check_hmrc(
    client: httpx.AsyncClient, credentials: HmrcCredentials, *, tax_id: str, requester: str = ""
) -> Verdict:
    path = f"{credentials.url}/organisations/vat/check-vat-number/lookup/{tax_id[2:]}"
    if requester.startswith("GB"):  # a GB requester gets a consultation number
        path += f"/{requester[2:]}"
    headers = {
        "Accept": "application/vnd.hmrc.2.0+json",
        "Authorization": f"Bearer {await credentials.token(client)}",
    }
    response, data = await _send(client, client.build_request("GET", path, headers=headers))
    code = data.get("code") if isinstance(data, dict) else None
    if response.status_code == 404 and code == "NOT_FOUND":
        return Verdict(valid=False)  # HMRC's explicit "not registered"
    if response.status_code == 401:
        credentials.forget()  # expired or revoked: the next attempt asks for a new one
    _unless_ok(response)
    target = data.get("target") if isinstance(data, dict) else None
    if not isinstance(target, dict):
        raise NoAnswer("INVALID_ANSWER")
    address = target.get("address")
    parts = address.items() if isinstance(address, dict) else ()
    lines = [v for k, v in parts if k != "countryCode" and isinstance(v, str) and v]
    return Verdict(
        valid=True,
        name=_text(target.get("name"), 255),
        address=_text("\n".join(lines), 1000),
        consultation_number=_text(data.get("consultationNumber"), 64),
    )
