"""Bearer tokens: verify the JWTs clients send, and mint them for development and scripts.

Claims: `sub` (who), `org` (the global ID of the organization the person acts in), `roles`,
`exp`. The key comes from settings; without one an HS256 secret is generated on first start
and kept in the database, so tokens survive restarts.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt
from tortoise.exceptions import IntegrityError

from models import Secret
from resolvers import global_id
from resolvers.actors import Role, parse_roles
from settings import Settings

_GENERATED_KEY = "jwt-hs256"
LEEWAY_SECONDS = 30
# Verified tokens remembered per service; beyond this many the oldest are forgotten.
VERIFIED_CACHE_SIZE = 4096


class TokenError(Exception):
    """The token is missing a claim, expired, or not signed by a key we trust."""


@dataclass(frozen=True, slots=True)
class Claims:
    subject: str
    org_id: UUID
    roles: frozenset[Role]


@dataclass(frozen=True, slots=True)
class TokenService:
    algorithm: str
    verify_key: str
    signing_key: str | None
    issuer: str = ""
    audience: str = ""
    ttl_seconds: int = 12 * 3600
    # token -> (claims, exp). A client sends one token with every request, and checking its
    # signature and claims again costs ~40 µs each time. With time only `exp` can turn a
    # verdict around (nbf and iat only become valid), so a remembered token checks that alone.
    _verified: dict[str, tuple[Claims, int]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def verify(self, token: str) -> Claims:
        known = self._verified.get(token)
        if known is not None:
            claims, expires = known
            # PyJWT's own test: expired when exp <= now - leeway.
            if expires > datetime.now(UTC).timestamp() - LEEWAY_SECONDS:
                return claims
            del self._verified[token]
            raise TokenError("Signature has expired")
        claims, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (claims, expires)
        return claims

    def expires_at(self, token: str) -> float | None:
        """When `verify` stops accepting a token it accepted (seconds since the epoch, the
        leeway included): a WebSocket that authenticated once with it is closed then."""
        known = self._verified.get(token)
        return known[1] + LEEWAY_SECONDS if known else None

    def _verify(self, token: str) -> tuple[Claims, int]:
        try:
            payload = jwt.decode(
                token,
                self.verify_key,
                algorithms=[self.algorithm],
                issuer=self.issuer or None,
                audience=self.audience or None,
                options={"require": ["exp", "sub", "org"], "verify_aud": bool(self.audience)},
                leeway=LEEWAY_SECONDS,
            )
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from exc
        org, subject, expires = payload["org"], payload["sub"], payload["exp"]
        # PyJWT reads `exp` with int(), so "9999999999" passed as a time; and str() of a list
        # of IDs decoded as one ID (base64 skips the brackets). Claims have one type each.
        if not isinstance(org, str) or not isinstance(subject, str) or not subject:
            raise TokenError("the org or sub claim is malformed")
        # A NumericDate may have a fraction (RFC 7519); a string or a boolean is no date.
        if not isinstance(expires, int | float) or isinstance(expires, bool):
            raise TokenError("the exp claim must be a number of seconds")
        org_id = global_id.decode_uuid(org, "Organization")
        if org_id is None:
            raise TokenError("the org claim is malformed")
        claims = Claims(subject, org_id, parse_roles(payload.get("roles")))
        return claims, int(expires)

    def mint(self, *, subject: str, org_id: UUID, roles: Iterable[Role]) -> str:
        if not self.signing_key:
            raise TokenError("no private key configured: set PORTAL_JWT_PRIVATE_KEY to mint tokens")
        now = datetime.now(UTC)
        claims: dict[str, object] = {
            "sub": subject,
            "org": global_id.encode("Organization", org_id),
            "roles": sorted(str(r) for r in roles),
            "iat": now,
            "exp": now + timedelta(seconds=self.ttl_seconds),
        }
        if self.issuer:
            claims["iss"] = self.issuer
        if self.audience:
            claims["aud"] = self.audience
        return jwt.encode(claims, self.signing_key, algorithm=self.algorithm)


async def token_service(settings: Settings) -> TokenService:
    """The service for `settings`; needs an initialised ORM when no key is configured."""
    key = settings.jwt_key
    if settings.jwt_algorithm.startswith("HS"):
        key = key or await _generated_secret()
        signing: str | None = key
    else:
        signing = settings.jwt_private_key or None
    return TokenService(
        algorithm=settings.jwt_algorithm,
        verify_key=key,
        signing_key=signing,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.token_ttl_seconds,
    )


async def _generated_secret() -> str:
    existing = await Secret.get_or_none(name=_GENERATED_KEY)
    if existing is not None:
        return existing.value
    try:
        created = await Secret.create(
            name=_GENERATED_KEY, value=secrets.token_urlsafe(48), created_at=datetime.now(UTC)
        )
        return created.value
    except IntegrityError:
        # Another worker generated it first; everyone must share one key.
        return (await Secret.get(name=_GENERATED_KEY)).value
