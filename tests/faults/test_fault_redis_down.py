"""Redis down: the policy of docs/operations.md ("Redis down"), observed.

- Access tokens still verify (signature against the cached JWKS; the revocation
  check is skipped) and refresh tokens still rotate (they live in PostgreSQL).
- Rate limits and daily usage counts fail open; /readyz says "degraded", not 503.
- Password logins fail closed with 503: identity's per-account throttle is the
  brute-force defence and cannot count failures without Redis (the first run
  answered 500 "internal error": identity.adapters.throttle now says Unavailable).
- A request with an Idempotency-Key is refused with 503 (its replay guarantee
  needs Redis); the same request without a key is served.
- A logout (a revocation) is refused with 503 and ends nothing.

A gateway of its own with tight limits, on Redis database 1 so that the other
tests' traffic does not fill its buckets.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import redis

from tests.faults.probes import REQUEST_TIMEOUT_SECONDS, assert_problem
from tests.faults.stack import FaultStack, extra_gateway
from tests.integration.api import PASSWORD, Api, Session, Tenant

LIMIT = 5  # requests per minute per principal and per client IP on the tight gateway


@dataclass
class Tight:
    http: httpx.Client
    tenant: Tenant


@pytest.fixture
def tight(fault_stack: FaultStack, fault_api: Api) -> Iterator[Tight]:
    redis_db1 = fault_stack.infra.redis_url.removesuffix("/0") + "/1"
    limits = {
        "CRM_REDIS_URL": redis_db1,
        "CRM_RATE_LIMIT_PRINCIPAL_PER_MINUTE": str(LIMIT),
        "CRM_RATE_LIMIT_ANONYMOUS_PER_MINUTE": str(LIMIT),
    }
    with redis.Redis.from_url(redis_db1) as buckets:
        buckets.flushdb()  # no buckets left by an earlier test
    process, url = extra_gateway(fault_stack, "gateway-tight", limits)
    tenant = fault_api.create_tenant()  # through the roomy gateway
    client = httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        yield Tight(client, tenant)
    finally:
        client.close()
        process.stop(grace=5)


def _leads(tight: Tight, session: Session, **kw: object) -> httpx.Response:
    return tight.http.get("/api/v1/leads", headers=session.headers, **kw)  # type: ignore[arg-type]


def _login(tight: Tight, email: str, password: str = PASSWORD) -> httpx.Response:
    body = {"tenant": tight.tenant.slug, "email": email, "password": password}
    return tight.http.post("/api/v1/auth/token", json=body)


def _stranger() -> str:
    # A new address each time: identity's per-account lockout never kicks in.
    return f"nobody-{uuid.uuid4().hex[:8]}@example.com"


def test_limits_hold_while_redis_is_up(tight: Tight) -> None:
    admin = tight.tenant.admin
    answers = [_leads(tight, admin).status_code for _ in range(LIMIT + 1)]
    assert answers == [200] * LIMIT + [429], answers
    logins = [_login(tight, _stranger()).status_code for _ in range(LIMIT + 1)]
    assert logins == [401] * LIMIT + [429], logins


def test_redis_down_policy(tight: Tight, fault_stack: FaultStack, fault_api: Api) -> None:
    admin = tight.tenant.admin
    for _ in range(LIMIT):  # fill this user's bucket: only failing open lets more through
        assert _leads(tight, admin).status_code == 200

    fault_stack.infra.kill_redis()

    # Tokens verify and API routes keep answering, past the limit (fail open).
    answers = [_leads(tight, admin).status_code for _ in range(2 * LIMIT)]
    assert answers == [200] * (2 * LIMIT), answers
    created = tight.http.post("/api/v1/leads", json={"last_name": "NoRedis"},
                              headers=admin.headers)  # fmt: skip
    assert created.status_code == 201, created.text

    ready = tight.http.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "degraded" and ready.json()["checks"]["redis"] != "ok"

    # Sessions go on: the refresh token rotates (PostgreSQL) ...
    refreshed = tight.http.post("/api/v1/auth/refresh",
                                json={"refresh_token": admin.refresh_token})  # fmt: skip
    assert refreshed.status_code == 200, refreshed.text
    fresh = Session(admin.tenant, admin.email, refreshed.json()["access_token"], "")
    assert _leads(tight, fresh).status_code == 200
    # ... but a password login is refused, not attempted unthrottled.
    assert_problem(_login(tight, admin.email), 503)
    assert_problem(_login(tight, _stranger(), "wrong"), 503)

    # Idempotency keys cannot be honoured: refused before anything is done.
    name = f"Idem-{uuid.uuid4().hex[:8]}"
    keyed = tight.http.post("/api/v1/leads", json={"last_name": name},
                            headers={**admin.headers, "Idempotency-Key": name})  # fmt: skip
    assert_problem(keyed, 503)
    assert keyed.headers.get("Retry-After"), keyed.headers
    # A revocation that cannot reach the gateways is refused, and nothing changes.
    assert_problem(tight.http.post("/api/v1/auth/logout", headers=fresh.headers), 503)

    fault_stack.infra.start_redis()

    assert _leads(tight, fresh).status_code == 200  # the refused logout ended nothing
    assert _login(tight, admin.email).status_code == 200
    again = tight.http.post("/api/v1/leads", json={"last_name": name},
                            headers={**admin.headers, "Idempotency-Key": name})  # fmt: skip
    assert again.status_code == 201, again.text
    search = fault_api.request("GET", "/api/v1/leads", admin, params={"q": name})
    assert search.status_code == 200, search.text
    assert [lead["last_name"] for lead in search.json()["items"]] == [name]
