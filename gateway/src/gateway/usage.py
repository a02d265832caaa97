"""Daily API usage: every authenticated call is counted per tenant and UTC day, and
per API key, in Redis; past a daily limit the call is refused with 429.

Counters: ``crm:usage:{tenant}:{yyyymmdd}`` (all calls) and ``...:{key_id}`` (one
key's), kept 40 days; identity's ``usage.flush_job`` copies them to its database.
One Lua script checks the limits and counts atomically, and only admitted calls
count: a key past its own limit does not eat into its tenant's budget.

Limits: the tenant's (identity ``GetUsageLimits``, cached ``LIMIT_CACHE_SECONDS``;
for keys from ``VerifyApiKey``) and the key's own. ``Retry-After`` is the time to
the next UTC midnight, when the counters start over.

Redis-down policy: fail open, like the rate limits (not counted, not refused;
logged and counted in ``crm_gateway_usage_count_failures_total``). Identity down
while learning a tenant's limit: the last known limit (or none) for a while.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime

import grpc
from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError

from crm.identity.v1 import api_keys_pb2 as pb
from crm_common.auth import Principal, reset_current_principal, set_current_principal
from crm_common.usage import usage_counter_key
from gateway.collaborators import Collaborators
from gateway.metrics import RATE_LIMITED
from gateway.problem import ProblemError
from gateway.security.api_keys import ApiKeyState, VerifiedKey

log = logging.getLogger("crm.gateway.usage")

USAGE_COUNT_FAILURES = Counter(
    "crm_gateway_usage_count_failures_total",
    "API calls neither counted nor limited (allowed) because Redis did not answer",
)
TTL_SECONDS = 40 * 86400
DAY_SECONDS = 86400
DAILY_LIMIT_TYPE = "urn:crm:problem:daily-limit-exceeded"

# KEYS: the counters. ARGV: TTL (s), then each counter's limit (0 = none). Returns
# 0 when counted, else the 1-based index of the counter at its limit.
METER = """
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[1 + i])
  if limit > 0 and tonumber(redis.call('GET', key) or '0') >= limit then
    return i
  end
end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  redis.call('EXPIRE', key, tonumber(ARGV[1]))
end
return 0
"""
METER_SHA = hashlib.sha1(METER.encode()).hexdigest()  # noqa: S324 - Redis names scripts by SHA-1


def counter_key(tenant_id: str, now: float, key_id: str = "") -> str:
    return usage_counter_key(tenant_id, datetime.fromtimestamp(now, UTC).date(), key_id)


async def meter_call(
    collaborators: Collaborators,
    state: ApiKeyState,
    principal: Principal,
    key: VerifiedKey | None = None,
) -> None:
    """Counts this call, or raises the 429 problem when a daily limit is reached."""
    if key is not None:
        tenant_limit = key.tenant_daily_limit
    else:
        tenant_limit = await tenant_daily_limit(collaborators, state, principal.tenant_id)
    now = collaborators.clock()
    counters = [(counter_key(principal.tenant_id, now), tenant_limit, "tenant")]
    if key is not None:
        counters.append((counter_key(key.tenant_id, now, key.key_id), key.key_daily_limit, "key"))
    try:
        full = await _run(collaborators.redis, counters)
    except (RedisError, OSError) as exc:  # policy: see the module docstring
        USAGE_COUNT_FAILURES.inc()
        log.warning("API call not counted, Redis unavailable: %s", exc)
        return
    if full:
        _, limit, scope = counters[full - 1]
        raise _exhausted(limit, scope, now)


async def tenant_daily_limit(
    collaborators: Collaborators, state: ApiKeyState, tenant_id: str
) -> int:
    cached = state.tenant_limits.get(tenant_id, collaborators.clock())
    if cached is not None:
        return cached
    if collaborators.api_keys is None:  # no ApiKeyService configured: no limit to learn
        return 0
    token = set_current_principal(Principal(kind="service", tenant_id=tenant_id))
    try:
        limit = (
            await collaborators.api_keys.GetUsageLimits(pb.GetUsageLimitsRequest())
        ).daily_limit
    except grpc.RpcError as exc:
        limit = state.tenant_limits.stale(tenant_id) or 0
        log.warning("daily limit of tenant %s unknown, using %s: %s", tenant_id, limit, exc)
    finally:
        reset_current_principal(token)
    state.tenant_limits.put(tenant_id, limit, collaborators.clock())
    return int(limit)


async def _run(redis: Redis, counters: list[tuple[str, int, str]]) -> int:
    keys = [name for name, _, _ in counters]
    args = [TTL_SECONDS, *(max(limit, 0) for _, limit, _ in counters)]
    try:
        result = await redis.evalsha(METER_SHA, len(keys), *keys, *args)
    except NoScriptError:  # EVAL caches it (the embedded Redis lacks SCRIPT LOAD)
        result = await redis.eval(METER, len(keys), *keys, *args)
    return int(result)


def _exhausted(limit: int, scope: str, now: float) -> ProblemError:
    RATE_LIMITED.labels(f"{scope}_daily").inc()
    retry_after = str(max(1, DAY_SECONDS - int(now) % DAY_SECONDS))  # to the next UTC midnight
    subject = "this API key" if scope == "key" else "this tenant"
    return ProblemError(
        429,
        f"daily limit of {limit} API calls for {subject} reached; it resets at 00:00 UTC",
        type_=DAILY_LIMIT_TYPE,
        headers={
            "Retry-After": retry_after,
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": retry_after,
        },
    )
