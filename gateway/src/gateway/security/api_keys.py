"""API keys of service accounts: ``Authorization: Bearer crm_...`` or ``X-API-Key``.

Identity verifies a key (``VerifyApiKey``, asked as the gateway's own "service"
principal); the answer is cached in this process for ``KEY_CACHE_SECONDS``, keyed
by the SHA-256 of the secret (the secret itself is never kept), so a revoked or
expired key stops working within that time. Failures are never cached: identity
answers each bad attempt, and the client IP's rate limit throttles guessing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import grpc
from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials

from crm.identity.v1 import api_keys_pb2 as pb
from crm_common.auth import Principal, reset_current_principal, set_current_principal
from crm_common.grpc.errors import read_failure

SECRET_PREFIX = "crm_"  # noqa: S105 - the public marker of a key, not a secret
KEY_CACHE_SECONDS = 5.0  # revocation takes effect within this time
LIMIT_CACHE_SECONDS = 30.0  # a tenant's daily limit, learned from identity
MAX_CACHE_ENTRIES = 10_000
GATEWAY = Principal(kind="service")
_REFUSED = (
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
)

T = TypeVar("T")


class InvalidApiKeyError(Exception):
    """The presented key is unknown, revoked or expired; the message is safe to show."""


class TtlCache(Generic[T]):
    """Entries live ``ttl`` seconds of the given clock; bounded in size."""

    def __init__(self, ttl: float, max_entries: int = MAX_CACHE_ENTRIES) -> None:
        self.ttl = ttl
        self._max = max_entries
        self._entries: dict[str, tuple[float, T]] = {}

    def get(self, key: str, now: float) -> T | None:
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] > now else None

    def stale(self, key: str) -> T | None:
        """The last value, expired or not (for fail-open paths)."""
        entry = self._entries.get(key)
        return entry[1] if entry is not None else None

    def put(self, key: str, value: T, now: float) -> None:
        if len(self._entries) >= self._max:
            self._entries = {k: e for k, e in self._entries.items() if e[0] > now}
            if len(self._entries) >= self._max:
                self._entries.clear()
        self._entries[key] = (now + self.ttl, value)


@dataclass(frozen=True)
class VerifiedKey:
    key_id: str
    tenant_id: str
    profile_id: str
    key_daily_limit: int  # 0 = none
    tenant_daily_limit: int  # 0 = none


@dataclass
class ApiKeyState:
    """The per-process caches of one app (kept on ``app.state``)."""

    keys: TtlCache[VerifiedKey] = field(default_factory=lambda: TtlCache(KEY_CACHE_SECONDS))
    tenant_limits: TtlCache[int] = field(default_factory=lambda: TtlCache(LIMIT_CACHE_SECONDS))


async def get_api_key_state(request: Request) -> ApiKeyState:  # async: see gateway.deps
    state: ApiKeyState | None = getattr(request.app.state, "api_key_state", None)
    if state is None:
        state = request.app.state.api_key_state = ApiKeyState()
    return state


def api_key_secret(
    credentials: HTTPAuthorizationCredentials | None, header: str | None
) -> str | None:
    """The presented API key, if any: ``X-API-Key``, else a bearer value ``crm_...``
    (JWTs never start so)."""
    if header:
        return header
    if credentials is not None and credentials.credentials.startswith(SECRET_PREFIX):
        return credentials.credentials
    return None


async def verify_api_key(
    secret: str, stub: Any, state: ApiKeyState, clock: Callable[[], float]
) -> VerifiedKey:
    digest = hashlib.sha256(secret.encode()).hexdigest()
    cached = state.keys.get(digest, clock())
    if cached is not None:
        return cached
    token = set_current_principal(GATEWAY)
    try:
        answer = await stub.VerifyApiKey(pb.VerifyApiKeyRequest(secret=secret))
    except grpc.RpcError as exc:
        if read_failure(exc).code in _REFUSED:
            raise InvalidApiKeyError("invalid, revoked or expired API key") from exc
        raise  # identity unavailable and the like: the usual 503/504 problem
    finally:
        reset_current_principal(token)
    key = VerifiedKey(
        key_id=answer.key_id,
        tenant_id=answer.tenant_id,
        profile_id=answer.profile_id,
        key_daily_limit=answer.key_daily_limit,
        tenant_daily_limit=answer.tenant_daily_limit,
    )
    now = clock()
    state.keys.put(digest, key, now)
    state.tenant_limits.put(key.tenant_id, key.tenant_daily_limit, now)
    return key


def key_principal(key: VerifiedKey) -> Principal:
    """Services resolve the key's rights from its id (``access_for``); no user."""
    return Principal(
        kind="api_key",
        tenant_id=key.tenant_id,
        profile_ids=(key.profile_id,),
        extra={"api_key_id": key.key_id},
    )
