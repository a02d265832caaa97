"""Events through the real pipeline: outbox -> relay -> JetStream -> idempotent consumer.

Identity's access-audit consumer turns auth events into the audit trail that
``GET /api/v1/audit/logins`` shows, so every assertion here goes through the gateway.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import nats
import pytest

from crm_common.events.envelope import parse_envelope
from tests.integration.api import Api, Session


def wait_for(check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def audit_entries(api: Api, admin: Session) -> list[dict[str, Any]]:
    response = api.request("GET", "/api/v1/audit/logins", admin, params={"limit": 200})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def logins_of(api: Api, admin: Session, email: str) -> list[dict[str, Any]]:
    return [
        e
        for e in audit_entries(api, admin)
        if e["kind"] == "login_succeeded" and e["email"] == email
    ]


def test_login_is_audited_through_events(api: Api) -> None:
    tenant = api.create_tenant()
    entries = wait_for(lambda: logins_of(api, tenant.admin, tenant.admin.email))
    assert len(entries) == 1


def test_event_written_while_nats_is_down_is_delivered_after_it_returns(api: Api, stack) -> None:
    if stack.infra.nats is None:
        pytest.skip("NATS is external (CRM_NATS_URL); this test restarts its own server")
    tenant = api.create_tenant()
    wait_for(lambda: logins_of(api, tenant.admin, tenant.admin.email))
    stack.infra.nats.kill()
    try:
        # Writes keep working while NATS is down: the events wait in the outbox.
        api.create_user(tenant.admin, "while-down@example.com")
        api.login(tenant.slug, "while-down@example.com")
        time.sleep(1.0)
        assert logins_of(api, tenant.admin, "while-down@example.com") == []
    finally:
        stack.infra.nats.restart()
    delivered = wait_for(lambda: logins_of(api, tenant.admin, "while-down@example.com"), 45)
    assert len(delivered) == 1


async def _republish_login_event(nats_url: str, tenant_id: str) -> str:
    """Publish a copy of the tenant's login event under a new message id, as a
    redelivery or a relay retry after JetStream's duplicate window would."""
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        sub = await js.subscribe("crm.identity.auth.login_succeeded", ordered_consumer=True)
        try:
            for _ in range(1000):  # bounded scan of the stream
                msg = await sub.next_msg(timeout=5)
                envelope = parse_envelope(msg.data)
                if envelope.tenant_id == tenant_id:
                    await js.publish(
                        msg.subject, msg.data, headers={"Nats-Msg-Id": str(uuid.uuid4())}
                    )
                    return envelope.id
        finally:
            await sub.unsubscribe()
    finally:
        await client.close()
    raise AssertionError("login event not found in the stream")


def test_redelivered_event_is_handled_once(api: Api, stack) -> None:
    tenant = api.create_tenant()
    wait_for(lambda: logins_of(api, tenant.admin, tenant.admin.email))
    event_id = asyncio.run(_republish_login_event(stack.infra.nats_url, tenant.id))
    # A later login is handled after the copy (one ordered consumer), so once it
    # shows up the copy has been seen too.
    api.login(tenant.slug, tenant.admin.email)
    wait_for(lambda: len(logins_of(api, tenant.admin, tenant.admin.email)) >= 2)
    entries = logins_of(api, tenant.admin, tenant.admin.email)
    assert [e["event_id"] for e in entries].count(event_id) == 1
    assert len(entries) == 2
