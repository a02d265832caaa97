"""Identity's public signing keys, cached by key id.

Loaded lazily on first use and kept. An unknown ``kid`` (a rotated key) triggers
a refresh, at most once per ``min_refresh_seconds`` so that tokens with made-up
key ids cannot turn into a flood of GetJwks calls. When identity cannot be
reached the cached keys keep verifying tokens: authentication survives an
identity restart.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt

from crm.identity.v1 import identity_pb2
from crm_common.tokens import ALGORITHM
from gateway.metrics import JWKS_REFRESH_FAILURES

log = logging.getLogger("crm.gateway.jwks")

JwksFetcher = Callable[[], Awaitable[str]]


def parse_jwks(raw: str) -> dict[str, jwt.PyJWK]:
    """Usable keys of a JWK set by kid; keys of other algorithms are ignored."""
    keys: dict[str, jwt.PyJWK] = {}
    for data in json.loads(raw).get("keys", []):
        kid = data.get("kid")
        if not kid:
            continue
        try:
            key = jwt.PyJWK(data, algorithm=ALGORITHM)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            log.warning("ignoring unusable JWK %s", kid)
            continue
        keys[str(kid)] = key
    return keys


class JwksCache:
    def __init__(
        self,
        fetch: JwksFetcher,
        *,
        min_refresh_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._min_refresh = min_refresh_seconds
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The key named ``kid``, refreshing the set once if it is unknown."""
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            # Another request may have refreshed while this one waited.
            if kid not in self._keys and self._may_refresh():
                await self._refresh()
        return self._keys.get(kid)

    def _may_refresh(self) -> bool:
        last = self._last_attempt
        return last is None or self._clock() - last >= self._min_refresh

    async def _refresh(self) -> None:
        self._last_attempt = self._clock()
        try:
            keys = parse_jwks(await self._fetch())
        except Exception as exc:  # identity down or answering garbage: keep what we have
            JWKS_REFRESH_FAILURES.inc()
            log.warning("JWKS refresh failed, keeping %d cached keys: %s", len(self._keys), exc)
            return
        if keys:
            # Replace, not merge: a key identity retired must stop verifying tokens.
            self._keys = keys
        else:
            log.warning("identity returned an empty JWKS; keeping cached keys")


def identity_jwks_fetcher(identity: Any) -> JwksFetcher:
    """Fetches the JWKS JSON with identity's ``GetJwks``."""

    async def fetch() -> str:
        response = await identity.GetJwks(identity_pb2.GetJwksRequest())
        return str(response.jwks_json)

    return fetch
