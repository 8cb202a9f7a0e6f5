"""A stand-in for the tax registries (VIES and HMRC), for tests and local demos offline.

It speaks the REST shapes resolvers/verification sends and reads:

    POST /vies/check-vat-number                        VIES: {"countryCode", "vatNumber", ...}
    POST /hmrc/oauth/token                             HMRC: OAuth client credentials
    GET  /hmrc/organisations/vat/check-vat-number/lookup/{vrn}[/{requester}]

and answers each number as programmed (every number is valid until told otherwise):

    PUT  /control/answers/{taxId}   {"answer": "valid" | "invalid" | "busy" | "down" | "slow",
                                      "times": N, "then": "valid", "retryAfter": 2, "delay": 30}
    GET  /control/calls             the calls so far, and the peak of concurrent calls per registry
    POST /control/reset

"busy" is VIES's MS_MAX_CONCURRENT_REQ or HMRC's 429 with Retry-After; "down" is
MS_UNAVAILABLE or HMRC's 503; "slow" waits `delay` seconds (default 60) before answering
valid. With `times`, the answer is given that often and `then` (default "valid") after it.
Run it with `portal simulate-registries --port 8099` and point PORTAL_VIES_URL at
http://127.0.0.1:8099/vies and PORTAL_HMRC_URL at http://127.0.0.1:8099/hmrc.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ANSWERS = ("valid", "invalid", "busy", "down", "slow")
CLIENT_ID, CLIENT_SECRET = "simulator-client", "simulator-secret"
NAME, ADDRESS = "COPACO NEDERLAND B.V.", "HOEVENWEG 00021\n5652AW EINDHOVEN"


@dataclass(slots=True)
class Program:
    answer: str = "valid"
    times: int | None = None
    then: str = "valid"
    retry_after: float | None = None
    delay: float = 60.0
    name: str = NAME
    address: str = ADDRESS

    def next(self) -> str:
        if self.times is None:
            return self.answer
        if self.times > 0:
            self.times -= 1
            return self.answer
        return self.then


@dataclass(slots=True)
class Registries:
    programs: dict[str, Program] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)
    in_flight: Counter[str] = field(default_factory=Counter)
    peak: Counter[str] = field(default_factory=Counter)
    tokens: set[str] = field(default_factory=set)

    def program(self, tax_id: str, answer: str = "valid", **options: Any) -> None:
        if answer not in ANSWERS:
            raise ValueError(f"answer must be one of {', '.join(ANSWERS)}")
        self.programs[tax_id] = Program(answer, **options)

    def reset(self) -> None:
        self.programs.clear()
        self.calls.clear()
        self.peak.clear()
        # Calls still hanging from before (a "slow" answer) no longer count as in flight.
        self.in_flight = Counter()

    def calls_for(self, tax_id: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["taxId"] == tax_id]

    async def answer(self, registry: str, tax_id: str) -> tuple[str, Program]:
        program = self.programs.get(tax_id) or Program()
        answer = program.next()
        in_flight = self.in_flight
        in_flight[registry] += 1
        self.peak[registry] = max(self.peak[registry], in_flight[registry])
        self.calls.append(
            {"registry": registry, "taxId": tax_id, "answer": answer, "at": time.time()}
        )
        try:
            # Every call takes a moment, so concurrent calls overlap as they would for real.
            await asyncio.sleep(program.delay if answer == "slow" else 0.02)
        finally:
            in_flight[registry] -= 1
        return answer, program


def _vies_error(code: str) -> JSONResponse:
    return JSONResponse({"actionSucceed": False, "errorWrappers": [{"error": code}]})


def create_simulator(registries: Registries | None = None) -> Starlette:
    state = registries or Registries()

    async def vies(request: Request) -> Response:
        body = await request.json()
        country, number = str(body.get("countryCode", "")), str(body.get("vatNumber", ""))
        answer, program = await state.answer("VIES", country + number)
        if answer == "busy":
            return _vies_error("MS_MAX_CONCURRENT_REQ")
        if answer == "down":
            return _vies_error("MS_UNAVAILABLE")
        valid = answer != "invalid"
        reply: dict[str, Any] = {
            "countryCode": country,
            "vatNumber": number,
            "requestDate": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "valid": valid,
            "userError": "VALID" if valid else "INVALID",
            "name": program.name if valid else "---",
            "address": program.address if valid else "---",
        }
        if body.get("requesterMemberStateCode") and body.get("requesterNumber"):
            reply["requestIdentifier"] = "WAPI" + secrets.token_hex(6).upper()
        return JSONResponse(reply)

    async def hmrc_token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
            "client_credentials",
            CLIENT_ID,
            CLIENT_SECRET,
        ):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = secrets.token_hex(16)
        state.tokens.add(token)
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 14400})

    async def hmrc_lookup(request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token not in state.tokens:
            return JSONResponse({"code": "MISSING_CREDENTIALS"}, status_code=401)
        vrn = request.path_params["vrn"]
        answer, program = await state.answer("HMRC", "GB" + vrn)
        if answer == "busy":
            after = str(int(program.retry_after or 1))
            return JSONResponse(
                {"code": "MESSAGE_THROTTLED_OUT"}, status_code=429, headers={"Retry-After": after}
            )
        if answer == "down":
            return JSONResponse({"code": "SERVER_ERROR"}, status_code=503)
        if answer == "invalid":
            return JSONResponse(
                {"code": "NOT_FOUND", "message": "targetVrn does not match"}, status_code=404
            )
        line1, _, rest = program.address.partition("\n")
        reply: dict[str, Any] = {
            "target": {
                "name": program.name,
                "vatNumber": vrn,
                "address": {"line1": line1, "line2": rest, "countryCode": "GB"},
            },
            "processingDate": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        }
        if request.path_params.get("requester"):
            reply["consultationNumber"] = "".join(secrets.choice("ABCDEFGHJK") for _ in range(9))
        return JSONResponse(reply)

    async def program(request: Request) -> Response:
        body = await request.json()
        options = {
            key: body[name]
            for key, name in (
                ("times", "times"),
                ("then", "then"),
                ("retry_after", "retryAfter"),
                ("delay", "delay"),
                ("name", "name"),
                ("address", "address"),
            )
            if name in body
        }
        try:
            state.program(request.path_params["tax_id"], body.get("answer", "valid"), **options)
        except (TypeError, ValueError) as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse({"ok": True})

    async def calls(request: Request) -> Response:
        return JSONResponse({"calls": state.calls, "peak": dict(state.peak)})

    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse({"ok": True})

    app = Starlette(
        routes=[
            Route("/vies/check-vat-number", vies, methods=["POST"]),
            Route("/hmrc/oauth/token", hmrc_token, methods=["POST"]),
            Route("/hmrc/organisations/vat/check-vat-number/lookup/{vrn}", hmrc_lookup),
            Route("/hmrc/organisations/vat/check-vat-number/lookup/{vrn}/{requester}", hmrc_lookup),
            Route("/control/answers/{tax_id}", program, methods=["PUT"]),
            Route("/control/calls", calls),
            Route("/control/reset", reset, methods=["POST"]),
        ]
    )
    app.state.registries = state
    return app
