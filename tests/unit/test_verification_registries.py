"""What counts as a registry's verdict, and what is only "no answer" (retried, never INVALID).

The registries' HTTP answers come from httpx.MockTransport: these are the REST shapes VIES
and HMRC send, including the odd ones the simulator does not produce.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from resolvers.verification.registries import (
    HmrcCredentials,
    NoAnswer,
    Verdict,
    check_hmrc,
    check_vies,
)

VALID = {
    "countryCode": "NL",
    "vatNumber": "006486253B01",
    "valid": True,
    "userError": "VALID",
    "name": "COPACO NEDERLAND B.V.",
    "address": "HOEVENWEG 00021\n5652AW EINDHOVEN",
    "requestIdentifier": "WAPIAAAAZ1234567",
}


def _client(answer: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


def _json(
    body: Any, status: int = 200, **headers: str
) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body, headers=headers)


async def _vies(answer: Callable[[httpx.Request], httpx.Response], requester: str = "") -> Verdict:
    async with _client(answer) as client:
        return await check_vies(
            client, url="https://vies.test", tax_id="NL006486253B01", requester=requester
        )


async def test_vies_valid_is_a_verdict_with_the_registry_s_data_and_proof() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=VALID)

    verdict = await _vies(answer, requester="NL810433941B01")
    assert verdict == Verdict(True, VALID["name"], VALID["address"], "WAPIAAAAZ1234567")
    assert sent[0].url == "https://vies.test/check-vat-number"
    import json

    assert json.loads(sent[0].content) == {
        "countryCode": "NL",
        "vatNumber": "006486253B01",
        "requesterMemberStateCode": "NL",
        "requesterNumber": "810433941B01",
    }


async def test_vies_valid_false_is_invalid_and_undisclosed_fields_are_none() -> None:
    body = {**VALID, "valid": False, "userError": "INVALID", "name": "---", "address": "---"}
    assert await _vies(_json(body)) == Verdict(False, None, None, "WAPIAAAAZ1234567")
    undisclosed = {**VALID, "name": "---", "address": "---"}
    assert await _vies(_json(undisclosed)) == Verdict(True, None, None, "WAPIAAAAZ1234567")


def _refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


def _timed_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("slow", request=request)


@pytest.mark.parametrize(
    ("answer", "code", "busy", "retry_after"),
    [
        (
            _json({"actionSucceed": False, "errorWrappers": [{"error": "MS_UNAVAILABLE"}]}),
            "MS_UNAVAILABLE",
            False,
            None,
        ),
        (
            _json({"actionSucceed": False, "errorWrappers": [{"error": "MS_MAX_CONCURRENT_REQ"}]}),
            "MS_MAX_CONCURRENT_REQ",
            True,
            None,
        ),
        (
            _json({**VALID, "valid": False, "userError": "MS_UNAVAILABLE"}),
            "MS_UNAVAILABLE",
            False,
            None,
        ),
        (_json({**VALID, "valid": False, "userError": "TIMEOUT"}), "TIMEOUT", False, None),
        (
            _json({"errorWrappers": [{"error": "GLOBAL_MAX_CONCURRENT_REQ"}]}),
            "GLOBAL_MAX_CONCURRENT_REQ",
            True,
            None,
        ),
        (_json({"valid": "false"}), "INVALID_ANSWER", False, None),
        (_json(["valid"]), "INVALID_ANSWER", False, None),
        (
            lambda r: httpx.Response(200, text="<html>maintenance</html>"),
            "INVALID_ANSWER",
            False,
            None,
        ),
        (_json({"valid": False}, 500), "HTTP_500", False, None),
        (_json({"valid": False}, 404), "HTTP_404", False, None),
        (_json({}, 429, **{"Retry-After": "7"}), "HTTP_429", True, 7.0),
        (_json({}, 503, **{"Retry-After": "99999"}), "HTTP_503", False, 3600.0),
        (_json({"errorWrappers": [{"error": "<script>"}]}), "REGISTRY_ERROR", False, None),
        (_refused, "CONNECTION_FAILED", False, None),
        (_timed_out, "TIMEOUT", False, None),
    ],
)
async def test_vies_anything_but_a_boolean_valid_is_no_answer(
    answer: Callable[[httpx.Request], httpx.Response],
    code: str,
    busy: bool,
    retry_after: float | None,
) -> None:
    with pytest.raises(NoAnswer) as raised:
        await _vies(answer)
    assert (raised.value.code, raised.value.busy, raised.value.retry_after) == (
        code,
        busy,
        retry_after,
    )


def _hmrc(
    lookup: Callable[[httpx.Request], httpx.Response], tokens: list[str]
) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            tokens.append(request.content.decode())
            return httpx.Response(
                200, json={"access_token": f"t{len(tokens)}", "expires_in": 14400}
            )
        assert request.headers["authorization"] == f"Bearer t{len(tokens)}"
        return lookup(request)

    return answer


async def _check_hmrc(
    lookup: Callable[[httpx.Request], httpx.Response], *, requester: str = ""
) -> tuple[Verdict, list[str]]:
    tokens: list[str] = []
    credentials = HmrcCredentials(url="https://hmrc.test", client_id="id", client_secret="secret")
    async with _client(_hmrc(lookup, tokens)) as client:
        verdict = await check_hmrc(client, credentials, tax_id="GB980780684", requester=requester)
        await check_hmrc(client, credentials, tax_id="GB980780684", requester=requester)
    return verdict, tokens


async def test_hmrc_record_is_verified_and_the_token_is_reused() -> None:
    paths: list[str] = []

    def lookup(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        target = {
            "name": "HM TREASURY",
            "vatNumber": "980780684",
            "address": {
                "line1": "1 HORSE GUARDS ROAD",
                "line2": "LONDON",
                "postcode": "SW1A 2HQ",
                "countryCode": "GB",
            },
        }
        return httpx.Response(200, json={"target": target, "consultationNumber": "ABC123DEF"})

    verdict, tokens = await _check_hmrc(lookup, requester="GB123456789")
    assert verdict == Verdict(
        True, "HM TREASURY", "1 HORSE GUARDS ROAD\nLONDON\nSW1A 2HQ", "ABC123DEF"
    )
    assert tokens == ["grant_type=client_credentials&client_id=id&client_secret=secret"]  # once
    assert paths == ["/organisations/vat/check-vat-number/lookup/980780684/123456789"] * 2


async def test_hmrc_not_found_is_invalid_but_a_bare_404_is_no_answer() -> None:
    verdict, _ = await _check_hmrc(
        _json({"code": "NOT_FOUND", "reason": "targetVrn does not match"}, 404)
    )
    assert verdict == Verdict(False)
    with pytest.raises(NoAnswer) as raised:
        await _check_hmrc(lambda r: httpx.Response(404, text="Not Found"))
    assert raised.value.code == "HTTP_404"


async def test_hmrc_throttling_is_busy_with_retry_after() -> None:
    with pytest.raises(NoAnswer) as raised:
        await _check_hmrc(_json({"code": "MESSAGE_THROTTLED_OUT"}, 429, **{"Retry-After": "3"}))
    assert (raised.value.code, raised.value.busy, raised.value.retry_after) == (
        "HTTP_429",
        True,
        3.0,
    )
