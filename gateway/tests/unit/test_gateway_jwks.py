"""The JWKS cache: lazy load, refresh on unknown kid (throttled), survives identity."""

from __future__ import annotations

import grpc
from gateway_fakes import SigningKey, jwks_json, rpc_error

from gateway.security.jwks import JwksCache


class Source:
    def __init__(self, *keys: SigningKey) -> None:
        self.keys = list(keys)
        self.fetches = 0
        self.down = False

    async def __call__(self) -> str:
        self.fetches += 1
        if self.down:
            raise rpc_error(grpc.StatusCode.UNAVAILABLE, "identity down")
        return jwks_json(*self.keys)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_loads_lazily_once() -> None:
    source = Source(SigningKey("a"))
    cache = JwksCache(source, min_refresh_seconds=5)
    assert source.fetches == 0
    assert await cache.key("a") is not None
    assert await cache.key("a") is not None
    assert source.fetches == 1


async def test_unknown_kid_refreshes_at_most_once_per_interval() -> None:
    clock, source = Clock(), Source(SigningKey("a"))
    cache = JwksCache(source, min_refresh_seconds=5, clock=clock)
    await cache.key("a")
    for _ in range(10):
        assert await cache.key("made-up") is None
    assert source.fetches == 1
    clock.now += 5
    source.keys.append(SigningKey("b"))  # identity rotated
    assert await cache.key("b") is not None
    assert source.fetches == 2


async def test_identity_down_keeps_the_cached_keys() -> None:
    clock, source = Clock(), Source(SigningKey("a"))
    cache = JwksCache(source, min_refresh_seconds=5, clock=clock)
    await cache.key("a")
    source.down = True
    clock.now += 10
    assert await cache.key("unknown") is None  # refresh attempted, failed
    assert await cache.key("a") is not None
    assert source.fetches == 2


async def test_retired_keys_stop_verifying() -> None:
    clock, source = Clock(), Source(SigningKey("a"))
    cache = JwksCache(source, min_refresh_seconds=0, clock=clock)
    await cache.key("a")
    source.keys = [SigningKey("b")]
    assert await cache.key("b") is not None
    assert await cache.key("a") is None


async def test_unusable_keys_are_ignored() -> None:
    async def fetch() -> str:
        return '{"keys": [{"kid": "rsa", "kty": "RSA", "n": "xx", "e": "AQAB"}, {"kty": "OKP"}]}'

    cache = JwksCache(fetch, min_refresh_seconds=0)
    assert await cache.key("rsa") is None
