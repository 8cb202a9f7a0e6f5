"""TokenService remembers verified tokens: the same verdicts, only cheaper the second time."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import pytest

from resolvers import global_id
from resolvers.actors import Role
from resolvers.tokens import LEEWAY_SECONDS, TokenError, TokenService

KEY = "unit-test-signing-key-that-is-long-enough"


def _service() -> TokenService:
    return TokenService(algorithm="HS256", verify_key=KEY, signing_key=KEY)


def _token(exp: datetime) -> str:
    claims = {"sub": "alice", "org": global_id.encode("Organization", uuid4()), "exp": exp}
    return jwt.encode({**claims, "roles": ["ADMIN"]}, KEY, algorithm="HS256")


def test_a_remembered_token_gives_the_same_claims() -> None:
    service = _service()
    token = service.mint(subject="alice", org_id=uuid4(), roles=[Role.VIEWER])
    assert service.verify(token) == service.verify(token)
    assert service.verify(token).roles == frozenset({Role.VIEWER})


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    service = _service()
    # exp within the leeway: valid now, expired as soon as the clock passes the next second.
    while True:
        exp = datetime.now(UTC) - timedelta(seconds=LEEWAY_SECONDS - 1)
        token = _token(exp)
        try:
            service.verify(token)  # remembered from here on
            break
        except TokenError:  # minted across a second boundary: already expired; again
            continue
    deadline = int(exp.timestamp()) + LEEWAY_SECONDS
    time.sleep(max(0.0, deadline - time.time()) + 0.05)
    with pytest.raises(TokenError):
        service.verify(token)
    with pytest.raises(TokenError):  # and stays refused once forgotten
        service.verify(token)


def test_refused_tokens_are_not_remembered() -> None:
    service = _service()
    forged = jwt.encode(
        {"sub": "x", "org": "y", "exp": datetime.now(UTC) + timedelta(hours=1)},
        "another-key-that-is-long-enough-for-hs256",
        algorithm="HS256",
    )
    for _ in range(2):
        with pytest.raises(TokenError):
            service.verify(forged)


@pytest.mark.parametrize(
    "claims",
    [
        # str() of a list of IDs decoded as the ID: base64 skips the brackets and quotes.
        {"org": [global_id.encode("Organization", uuid4())]},
        {"org": {"id": global_id.encode("Organization", uuid4())}},
        # PyJWT reads exp with int(), so a numeric string passed as a time.
        {"exp": str(int(time.time()) + 3600)},
        {"exp": True},
        {"sub": ["alice"]},
        {"sub": ""},
    ],
)
def test_claims_of_the_wrong_type_are_refused(claims: dict[str, object]) -> None:
    payload = {
        "sub": "alice",
        "org": global_id.encode("Organization", uuid4()),
        "roles": ["ADMIN"],
        "exp": int(time.time()) + 3600,
        **claims,
    }
    with pytest.raises(TokenError):
        _service().verify(jwt.encode(payload, KEY, algorithm="HS256"))


def test_an_id_has_one_spelling() -> None:
    org = uuid4()
    encoded = global_id.encode("Organization", org)
    assert global_id.decode_uuid(encoded, "Organization") == org
    assert global_id.decode_uuid(encoded + "==", "Organization") == org  # padding is optional
    for other in (f"['{encoded}']", f" {encoded}", encoded[:4] + "!" + encoded[4:]):
        assert global_id.decode_uuid(other, "Organization") is None
    for spelling in (f"{{{org}}}", org.hex, f"urn:uuid:{org}"):  # UUID() takes them all
        other = base64.urlsafe_b64encode(f"Organization:{spelling}".encode()).decode()
        assert global_id.decode_uuid(other, "Organization") is None
