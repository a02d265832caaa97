"""Activities end to end: gateway -> sales (access resolved by identity) ->
PostgreSQL, and the reminder job -> outbox -> JetStream."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import nats
import pytest

from crm.sales.v1 import activities_pb2
from crm_common.events.envelope import parse_envelope, unpack_payload
from tests.integration.access_org import Org, build_org
from tests.integration.api import Api
from tests.integration.conftest import Stack


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {**org.headers(who), **kw.pop("headers", {})}
    return org.api.http.request(method, path, headers=headers, **kw)


def _account(org: Org, who: str) -> str:
    response = _as(org, who, "POST", "/api/v1/accounts", json={"name": f"A-{uuid.uuid4().hex[:6]}"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def test_meeting_crud_and_visibility(org: Org) -> None:
    account_id = _account(org, "rep")
    start = datetime(2030, 3, 1, 9, tzinfo=UTC)
    body = {
        "type": "meeting",
        "subject": "Kick-off",
        "related_type": "account",
        "related_id": account_id,
        "start_at": _iso(start),
        "end_at": _iso(start + timedelta(hours=1)),
        "location": "Utrecht",
        "attendees": [{"user_id": org.ids["manager_id"]}, {"email": "Guest@Example.com"}],
        "priority": "high",
    }
    created = _as(org, "rep", "POST", "/api/v1/activities", json=body)
    assert created.status_code == 201, created.text
    meeting = created.json()
    assert meeting["owner_id"] == org.ids["rep_id"] and meeting["status"] == "open"
    assert meeting["attendees"][1] == {
        "user_id": None,
        "contact_id": None,
        "email": "guest@example.com",
    }
    path = f"/api/v1/activities/{meeting['id']}"
    assert created.headers["Location"] == path and created.headers["ETag"] == '"1"'
    assert _as(org, "manager", "GET", path).status_code == 200
    assert _as(org, "peer", "GET", path).status_code == 404
    assert _as(org, "other_tenant", "GET", path).status_code == 404
    listed = _as(
        org, "manager", "GET", "/api/v1/activities",
        params={"related_type": "account", "related_id": account_id, "sort": "start_at"},
    )  # fmt: skip
    assert [a["id"] for a in listed.json()["items"]] == [meeting["id"]]
    done = _as(org, "rep", "PATCH", path, json={"status": "completed"}, headers={"If-Match": '"1"'})
    assert done.status_code == 200, done.text
    assert done.json()["completed_at"] and done.json()["version"] == 2
    stale = _as(org, "rep", "PATCH", path, json={"subject": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert _as(org, "rep", "DELETE", path).status_code == 403  # reps may not delete
    assert _as(org, "manager", "DELETE", path).status_code == 204
    assert _as(org, "rep", "GET", path).status_code == 404


def test_bad_input_is_problem_json_naming_fields(org: Org) -> None:
    account_id = _account(org, "rep")
    start = datetime(2030, 3, 1, 9, tzinfo=UTC)
    body = {
        "type": "meeting",
        "subject": "",
        "related_type": "account",
        "related_id": account_id,
        "start_at": _iso(start),
        "end_at": _iso(start - timedelta(minutes=5)),
        "direction": "inbound",
    }
    response = _as(org, "rep", "POST", "/api/v1/activities", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"subject", "end_at", "direction"}
    unknown = _as(org, "rep", "POST", "/api/v1/activities", json={**body, "type": "memo"})
    assert unknown.status_code == 422
    orphan = {
        "type": "task",
        "subject": "S",
        "related_type": "lead",
        "related_id": str(uuid.uuid4()),
    }
    missing = _as(org, "rep", "POST", "/api/v1/activities", json=orphan)
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["related_id"]
    listed = _as(org, "rep", "GET", "/api/v1/activities", params={"sort": "size"})
    assert listed.status_code == 422


async def _due_event(nats_url: str, activity_id: str, timeout: float = 45.0) -> Any:
    """Scan crm.sales.activity.due for the activity's event (bounded)."""
    client = await nats.connect(nats_url)
    try:
        sub = await client.jetstream().subscribe("crm.sales.activity.due", ordered_consumer=True)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                try:
                    msg = await sub.next_msg(timeout=2)
                except nats.errors.TimeoutError:
                    continue
                payload = unpack_payload(parse_envelope(msg.data), activities_pb2.ActivityDue)
                if payload.activity_id == activity_id:
                    return payload
        finally:
            await sub.unsubscribe()
    finally:
        await client.close()
    raise AssertionError("no crm.sales.activity.due event for the activity")


def test_reminder_event_reaches_nats(org: Org, stack: Stack) -> None:
    account_id = _account(org, "rep")
    body = {
        "type": "task",
        "subject": "Send the proposal",
        "related_type": "account",
        "related_id": account_id,
        "due_at": _iso(datetime.now(UTC) + timedelta(hours=1)),
        "reminder_at": _iso(datetime.now(UTC) - timedelta(seconds=1)),
    }
    created = _as(org, "rep", "POST", "/api/v1/activities", json=body)
    assert created.status_code == 201, created.text
    activity = created.json()
    payload = asyncio.run(_due_event(stack.infra.nats_url, activity["id"]))
    assert (payload.owner_id, payload.type, payload.related_id) == (
        org.ids["rep_id"], "task", account_id
    )  # fmt: skip
    path = f"/api/v1/activities/{activity['id']}"
    for _ in range(50):  # bounded: the stamp is committed with the event
        if _as(org, "rep", "GET", path).json()["reminded_at"]:
            break
        time.sleep(0.2)
    assert _as(org, "rep", "GET", path).json()["reminded_at"]
