"""Access tokens (signed JWT) and refresh tokens (opaque, stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime

import jwt

from crm_common import tokens as contract
from identity.adapters.keys import SigningKeys

REFRESH_PREFIX = "rt_"


def new_refresh_token() -> tuple[str, bytes]:
    """A fresh refresh token and the hash stored in place of it."""
    token = REFRESH_PREFIX + secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class AccessTokens:
    def __init__(self, keys: SigningKeys, ttl_seconds: int) -> None:
        self._keys = keys
        self.ttl_seconds = ttl_seconds

    async def issue(
        self,
        *,
        user_id: uuid.UUID,
        tenant_id: uuid.UUID,
        tenant_slug: str,
        session_id: uuid.UUID,
        roles: list[str],
        permissions: list[str],
    ) -> str:
        key = await self._keys.active()
        now = int(datetime.now(UTC).timestamp())
        claims = {
            "iss": contract.ISSUER,
            "aud": contract.AUDIENCE,
            "sub": str(user_id),
            "tid": str(tenant_id),
            "tsl": tenant_slug,
            "sid": str(session_id),
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + self.ttl_seconds,
            "typ": "access",
            "roles": roles,
            "perms": permissions,
        }
        return jwt.encode(
            claims, key.private_key, algorithm=contract.ALGORITHM, headers={"kid": key.kid}
        )
