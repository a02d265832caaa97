"""Access-token verification, entirely local: signature from the JWKS cache,
claims from the shared contract (``crm_common.tokens``), then revocation.

Redis-down policy: the revocation deny list lives in Redis. When Redis does not
answer, authentication keeps working and the revocation check is skipped
(counted in ``crm_gateway_revocation_check_failures_total`` and logged). Access
tokens live minutes, so the exposure is bounded by their lifetime, whereas
failing closed would turn a Redis hiccup into a full outage of the API.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
from redis.asyncio import Redis
from redis.exceptions import RedisError

from crm_common.auth import Principal
from crm_common.revocation import is_revoked
from crm_common.tokens import ALGORITHM, AUDIENCE, ISSUER, REQUIRED_CLAIMS, principal_from_claims
from gateway.metrics import REVOCATION_CHECK_FAILURES
from gateway.security.jwks import JwksCache

log = logging.getLogger("crm.gateway.auth")


class InvalidTokenError(Exception):
    """The bearer token is not acceptable; the message is safe to show."""


class TokenVerifier:
    def __init__(self, jwks: JwksCache, redis: Redis, *, leeway_seconds: int = 10) -> None:
        self._jwks = jwks
        self._redis = redis
        self._leeway = leeway_seconds

    async def verify(self, token: str) -> Principal:
        claims = await self._decode(token)
        if claims.get("typ") != "access":
            raise InvalidTokenError("not an access token")
        if await self._revoked(claims):
            raise InvalidTokenError("token has been revoked")
        return principal_from_claims(claims)

    async def _decode(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidTokenError("malformed token") from exc
        # Only our algorithm is ever accepted: no "none", no HS256 keyed with a public key.
        if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
            raise InvalidTokenError("unsupported token algorithm or key id")
        key = await self._jwks.key(header["kid"])
        if key is None:
            raise InvalidTokenError("unknown signing key")
        try:
            return jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=self._leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidTokenError("token has expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidTokenError("invalid token") from exc

    async def _revoked(self, claims: dict[str, Any]) -> bool:
        try:
            return await is_revoked(
                self._redis,
                session_id=str(claims["sid"]),
                user_id=str(claims["sub"]),
                issued_at=int(claims["iat"]),
            )
        except (RedisError, OSError) as exc:  # policy: see the module docstring
            REVOCATION_CHECK_FAILURES.inc()
            log.warning("revocation check skipped, Redis unavailable: %s", exc)
            return False
