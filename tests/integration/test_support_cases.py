"""Cases end to end through the gateway (real processes): the issue's done-when.

* A P1 case reported Friday 16:30 (Europe/Amsterdam) under a Mon-Fri 09-17
  calendar and a 120-minute resolution target is due Monday 10:30 local.
* waiting_on_customer pauses the clock (sla_status paused) and resuming moves
  the due time by the paused business time.
* With two support processes (two SLA schedulers on one database), the warning
  and the breach of a case are published once each (counted on JetStream).
Plus the case API itself: numbers, ETags, comments and first response,
transitions and reopening, filters, group assignment, validation.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from crm_common.events.envelope import parse_envelope
from crm_devstack.managed_process import ManagedProcess
from crm_devstack.net import LOCALHOST, free_port
from tests.integration.api import Api, Session, Tenant
from tests.integration.conftest import INTERNAL_SECRET, Stack

WAIT_SECONDS = 150.0  # bounds the waits for the scheduler; not a measurement
SCAN_LIMIT = 5000
BIN = Path(sys.executable).parent
OFFICE = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture(scope="module")
def tenant(api: Api) -> Tenant:
    return api.create_tenant()


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _policy(api: Api, admin: Session, *, calendar: dict[str, Any], **policy: Any) -> str:
    name = f"hours-{uuid.uuid4().hex[:6]}"
    hours = _ok(
        api.request("POST", "/api/v1/business-hours", admin, json={"name": name, **calendar}), 201
    )
    body = {"name": f"policy-{uuid.uuid4().hex[:6]}", "business_hours_id": hours["id"], **policy}
    return str(_ok(api.request("POST", "/api/v1/sla-policies", admin, json=body), 201)["id"])


def _case(api: Api, admin: Session, **body: Any) -> dict[str, Any]:
    values = {"subject": f"Case {uuid.uuid4().hex[:6]}", "priority": "P1", **body}
    return dict(_ok(api.request("POST", "/api/v1/cases", admin, json=values), 201))


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_p1_friday_1630_with_two_hours_is_due_monday_1030(api: Api) -> None:
    tenant = api.create_tenant()
    _policy(
        api,
        tenant.admin,
        calendar={"timezone": "Europe/Amsterdam", "weekly": OFFICE},
        resolution_minutes=120,
        conditions={"priorities": ["P1"]},
    )
    case = _case(api, tenant.admin, reported_at="2026-03-06T16:30:00+01:00")  # a Friday
    assert _at(case["resolution_due_at"]) == datetime(2026, 3, 9, 9, 30, tzinfo=UTC)  # 10:30 CET
    assert case["sla_policy_id"]
    assert case["number"].startswith(f"CS-{datetime.now(UTC).year}-")
    # a P3 matches no policy: no due times
    other = _case(api, tenant.admin, priority="P3")
    assert other["resolution_due_at"] is None and other["sla_policy_id"] is None


def test_waiting_on_customer_pauses_and_resuming_moves_the_due_time(api: Api) -> None:
    tenant = api.create_tenant()
    admin = tenant.admin
    _policy(api, admin, calendar={"timezone": "UTC", "always_open": True}, resolution_minutes=600)
    case = _case(api, admin)
    path = f"/api/v1/cases/{case['id']}"
    due = _at(case["resolution_due_at"])
    before_pause = time.monotonic()
    paused = _ok(api.request("PATCH", path, admin, json={"status": "waiting_on_customer"}))
    after_pause = time.monotonic()
    assert paused["sla_status"] == "paused" and paused["sla_paused_at"]
    time.sleep(1.5)
    before_resume = time.monotonic()
    resumed = _ok(api.request("PATCH", path, admin, json={"status": "open"}))
    after_resume = time.monotonic()
    assert resumed["sla_status"] == "on_track" and resumed["sla_paused_at"] is None
    moved = (_at(resumed["resolution_due_at"]) - due).total_seconds()
    # the pause lasted at least the gap between the two calls, at most their span
    assert before_resume - after_pause <= moved <= after_resume - before_pause + 1


def test_case_api_numbers_etags_comments_and_transitions(api: Api, tenant: Tenant) -> None:
    admin = tenant.admin
    _policy(
        api, admin, calendar={"timezone": "UTC", "always_open": True},
        first_response_minutes=600, resolution_minutes=6000,
    )  # fmt: skip
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"subject": "VPN down", "priority": "P2", "channel": "email"}
    first = api.request("POST", "/api/v1/cases", admin, json=body, headers=key)
    again = api.request("POST", "/api/v1/cases", admin, json=body, headers=key)
    assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
    case = first.json()
    path = f"/api/v1/cases/{case['id']}"
    assert first.headers["ETag"] == '"1"'
    stale = api.request("PATCH", path, admin, json={"subject": "x"}, headers={"If-Match": '"9"'})
    assert stale.status_code == 409
    # comments: internal, then the first public agent reply
    comments = f"{path}/comments"
    _ok(api.request("POST", comments, admin, json={"body": "checking", "public": False}), 201)
    reply = {"body": "On it", "public": True, "mentioned_user_ids": [tenant.admin_user_id]}
    _ok(api.request("POST", comments, admin, json=reply), 201)
    got = _ok(api.request("GET", path, admin))
    assert got["first_responded_at"] and got["first_response_minutes"] is not None
    assert len(_ok(api.request("GET", comments, admin))["items"]) == 2
    # transitions: resolve, a refused one, reopen, close
    resolved = _ok(api.request("POST", f"{path}/resolve", admin))
    assert resolved["status"] == "resolved" and resolved["sla_status"] == "fulfilled"
    refused = api.request("PATCH", path, admin, json={"status": "waiting_on_customer"})
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert _ok(api.request("POST", f"{path}/reopen", admin))["status"] == "open"
    assert api.request("POST", f"{path}/reopen", admin).status_code == 409  # not done
    assert _ok(api.request("POST", f"{path}/close", admin))["closed_at"]
    listed = _ok(api.request("GET", "/api/v1/cases", admin, params={"status": "closed"}))
    assert [c["id"] for c in listed["items"]] == [case["id"]]
    # validation at the edge names the field
    bad = api.request("POST", "/api/v1/cases", admin, json={"subject": "x", "priority": "P7"})
    assert bad.status_code == 422
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    late = api.request("POST", "/api/v1/cases", admin, json={**body, "reported_at": future})
    assert late.status_code == 422 and "reported_at" in late.text


def test_round_robin_over_an_identity_group(api: Api, tenant: Tenant) -> None:
    admin = tenant.admin
    users = sorted(
        api.create_user(admin, f"agent-{uuid.uuid4().hex[:6]}@{tenant.slug}.example")["id"]
        for _ in range(2)
    )
    group = {
        "name": f"desk-{uuid.uuid4().hex[:6]}",
        "members": [{"type": "user", "id": u} for u in users],
    }
    group_id = _ok(api.request("POST", "/api/v1/groups", admin, json=group), 201)["id"]
    owners = [
        _case(api, admin, group_id=group_id, assignment="round_robin")["owner_id"] for _ in range(4)
    ]
    assert sorted(owners) == sorted(users * 2)
    assert owners[0] != owners[1]


# ---- two schedulers ----


def _second_support(stack: Stack) -> tuple[ManagedProcess, int]:
    port = free_port()
    env = {
        **os.environ,
        **stack.infra.env(),
        "CRM_ENV": "test",
        "CRM_INTERNAL_SECRET": INTERNAL_SECRET,
        "CRM_LOG_LEVEL": "INFO",
        "CRM_OUTBOX_POLL_SECONDS": "0.2",
        "CRM_SERVICE_NAME": "support",
        "CRM_SUPPORT_DATABASE_URL": stack.db_urls["support"],
        "CRM_MIGRATE_ON_START": "true",
        "CRM_GRPC_PORT": str(port),
        "CRM_IDENTITY_ADDR": f"{LOCALHOST}:{stack.identity_port}",
        "CRM_SLA_POLL_SECONDS": "0.5",
    }
    process = ManagedProcess(
        "support-2",
        [str(BIN / "crm-support")],
        env=env,
        log_path=stack.log_dir / "support-2.log",
        echo=False,
    ).start()
    return process, port


@pytest.fixture(scope="module")
def second_support(stack: Stack) -> Iterator[ManagedProcess]:
    process, port = _second_support(stack)
    try:
        process.wait_grpc_ready(port, timeout=60)
        yield process
    finally:
        process.stop()


async def _sla_events(nats_url: str, case_id: str, want: int) -> list[str]:
    """Types of every crm.support.sla.* event about ``case_id`` in the stream
    (a bounded scan; stops once the stream is drained and ``want`` were seen)."""
    client = await nats.connect(nats_url)
    found: list[str] = []
    try:
        sub = await client.jetstream().subscribe("crm.support.sla.>", ordered_consumer=True)
        try:
            for _ in range(SCAN_LIMIT):
                try:
                    message = await sub.next_msg(timeout=3 if len(found) >= want else 10)
                except TimeoutError:
                    break
                envelope = parse_envelope(message.data)
                if envelope.subject_id == case_id:
                    found.append(envelope.type)
        finally:
            await sub.unsubscribe()
    finally:
        await client.close()
    return found


def test_warning_and_breach_fire_once_each_with_two_schedulers(
    api: Api, stack: Stack, second_support: ManagedProcess
) -> None:
    tenant = api.create_tenant()
    admin = tenant.admin
    _policy(
        api, admin, calendar={"timezone": "UTC", "always_open": True},
        resolution_minutes=2, warning_percent=50,
    )  # fmt: skip
    # 50% of 2 minutes is 1 minute: the warning is due in ~5 s, the breach in ~65 s.
    reported = (datetime.now(UTC) - timedelta(seconds=55)).isoformat()
    case = _case(api, admin, reported_at=reported)
    path = f"/api/v1/cases/{case['id']}"
    deadline = time.monotonic() + WAIT_SECONDS
    while _ok(api.request("GET", path, admin))["sla_status"] != "breached":
        assert time.monotonic() < deadline, "the schedulers did not breach the case"
        assert second_support.is_running()
        time.sleep(1)
    time.sleep(3)  # both schedulers get a few more ticks to publish anything twice
    seen = asyncio.run(_sla_events(stack.infra.nats_url, case["id"], want=2))
    assert sorted(seen) == ["crm.support.sla.breached", "crm.support.sla.warning"]


async def _escalations(nats_url: str, case_id: str) -> list[Any]:
    from crm.support.v1 import events_pb2
    from crm_common.events.envelope import unpack_payload

    client = await nats.connect(nats_url)
    found: list[Any] = []
    try:
        sub = await client.jetstream().subscribe("crm.support.sla.escalated", ordered_consumer=True)
        try:
            for _ in range(SCAN_LIMIT):
                try:
                    message = await sub.next_msg(timeout=3)
                except TimeoutError:
                    break
                envelope = parse_envelope(message.data)
                if envelope.subject_id == case_id:
                    found.append(unpack_payload(envelope, events_pb2.SlaEvent))
        finally:
            await sub.unsubscribe()
    finally:
        await client.close()
    return found


def test_escalation_reassigns_over_a_group_and_names_the_manager(api: Api, stack: Stack) -> None:
    """The scheduler has no caller: it asks identity as a service principal of the
    tenant for the group's users and the org chart."""
    tenant = api.create_tenant()
    admin = tenant.admin
    roles = _ok(api.request("GET", "/api/v1/roles", admin))["items"]
    root = next(r["id"] for r in roles if not r.get("parent_id"))
    role = {"name": f"agents-{uuid.uuid4().hex[:6]}", "parent_id": root}
    agent_role = _ok(api.request("POST", "/api/v1/roles", admin, json=role), 201)["id"]
    owner = api.create_user(admin, f"owner@{tenant.slug}.example", role_id=agent_role)["id"]
    expert = api.create_user(admin, f"expert@{tenant.slug}.example", role_id=agent_role)["id"]
    group = {"name": "experts", "members": [{"type": "user", "id": expert}]}
    group_id = _ok(api.request("POST", "/api/v1/groups", admin, json=group), 201)["id"]
    level = {"level": 1, "after_minutes": 0, "group_id": group_id, "notify_manager": True}
    _policy(
        api, admin, calendar={"timezone": "UTC", "always_open": True},
        resolution_minutes=1, escalations=[level],
    )  # fmt: skip
    reported = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
    case = _case(api, admin, owner_id=owner, reported_at=reported)
    path = f"/api/v1/cases/{case['id']}"
    deadline = time.monotonic() + 60
    while (got := _ok(api.request("GET", path, admin)))["escalation_level"] < 1:
        assert time.monotonic() < deadline, "the scheduler did not escalate the case"
        time.sleep(0.5)
    assert got["owner_id"] == expert and got["group_id"] == group_id
    events = asyncio.run(_escalations(stack.infra.nats_url, case["id"]))
    assert len(events) == 1
    assert events[0].manager_id == tenant.admin_user_id  # the user in the parent role
