"""Notifications end to end through the gateway (real processes): a manager
follows the rep's deal, the rep moves it, and the manager's notification is in
the centre and on the live stream (SSE); a record the caller cannot see is not
followed; the centre is per user and marks read."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api

WAIT_SECONDS = 10.0  # a bound for the loops, not a measurement


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return org.api.http.request(method, path, headers=org.headers(who), **kw)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _rep_deal(org: Org) -> dict[str, Any]:
    body = {"name": f"Deal {uuid.uuid4().hex[:6]}", "amount": "10.00", "currency": "EUR"}
    return _ok(_as(org, "rep", "POST", "/api/v1/deals", json=body), 201)


def _another_stage(org: Org, deal: dict[str, Any]) -> str:
    pipelines = _ok(_as(org, "rep", "GET", "/api/v1/pipelines"))["items"]
    stages = next(p for p in pipelines if p["id"] == deal["pipeline_id"])["stages"]
    return next(s["id"] for s in stages if s["kind"] == "open" and s["id"] != deal["stage_id"])


def _moved_notifications(org: Org, who: str, deal_id: str) -> list[dict[str, Any]]:
    items = _ok(_as(org, who, "GET", "/api/v1/notifications"))["items"]
    return [n for n in items if n["record_id"] == deal_id and n["type"] == "deal_moved"]


def _sse_events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    event = ""
    for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield event, line.removeprefix("data: ")


def test_a_follower_hears_of_a_stage_move_in_the_centre_and_live(org: Org) -> None:
    deal = _rep_deal(org)
    follow = {"record_type": "deal", "record_id": deal["id"]}
    followed = _ok(_as(org, "manager", "POST", "/api/v1/follows", json=follow), 201)
    again = _ok(_as(org, "manager", "POST", "/api/v1/follows", json=follow), 201)
    assert again["id"] == followed["id"]
    stream_url = f"/api/v1/notifications/stream?max_seconds={WAIT_SECONDS}"
    with org.api.http.stream("GET", stream_url, headers=org.headers("manager")) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = _sse_events(stream.iter_lines())
        assert next(events)[0] == "ready"  # the service is listening from here on
        move = {"stage_id": _another_stage(org, deal)}
        _ok(_as(org, "rep", "PATCH", f"/api/v1/deals/{deal['id']}", json=move))
        # Read until the move arrives; the stream ends by itself after WAIT_SECONDS.
        live = None
        for name, data in events:
            notification = json.loads(data) if name == "notification" else {}
            if notification.get("record_id") == deal["id"]:
                live = notification
                break  # leaving the block hangs up: the gateway ends the Watch call
    assert live is not None and live["type"] == "deal_moved"
    deadline = time.monotonic() + WAIT_SECONDS
    while not _moved_notifications(org, "manager", deal["id"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    (moved,) = _moved_notifications(org, "manager", deal["id"])
    assert moved["read_at"] is None and moved["title"]
    assert _moved_notifications(org, "rep", deal["id"]) == []  # the mover is not told


def test_a_record_the_caller_cannot_see_is_not_followed(org: Org) -> None:
    deal = _rep_deal(org)
    follow = {"record_type": "deal", "record_id": deal["id"]}
    assert _as(org, "peer", "POST", "/api/v1/follows", json=follow).status_code == 404
    missing = {"record_type": "lead", "record_id": str(uuid.uuid4())}
    assert _as(org, "manager", "POST", "/api/v1/follows", json=missing).status_code == 404
    bad = _as(org, "manager", "POST", "/api/v1/follows", json={**follow, "record_type": "quote"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["record_type"]


def test_the_centre_is_per_user_and_marks_read(org: Org) -> None:
    deal = _rep_deal(org)
    follow = {"record_type": "deal", "record_id": deal["id"]}
    _ok(_as(org, "admin", "POST", "/api/v1/follows", json=follow), 201)
    rename = {"name": f"Renamed {uuid.uuid4().hex[:6]}"}
    _ok(_as(org, "rep", "PATCH", f"/api/v1/deals/{deal['id']}", json=rename))

    def mine() -> list[dict[str, Any]]:
        items = _ok(_as(org, "admin", "GET", "/api/v1/notifications"))["items"]
        return [n for n in items if n["record_id"] == deal["id"]]

    deadline = time.monotonic() + WAIT_SECONDS
    while not mine() and time.monotonic() < deadline:
        time.sleep(0.05)
    (updated,) = mine()
    assert updated["type"] == "record_updated"
    path = f"/api/v1/notifications/{updated['id']}/read"
    assert _as(org, "manager", "POST", path).status_code == 404  # not the manager's
    assert _ok(_as(org, "admin", "POST", path))["read_at"] is not None
    unread = _ok(_as(org, "admin", "GET", "/api/v1/notifications", params={"unread": "true"}))
    assert updated["id"] not in [n["id"] for n in unread["items"]]
    _ok(_as(org, "admin", "POST", "/api/v1/notifications/read-all"))
    assert _ok(_as(org, "admin", "GET", "/api/v1/notifications"))["unread_count"] == 0
    follows = _ok(_as(org, "admin", "GET", "/api/v1/follows"))["items"]
    (mine_follow,) = [f for f in follows if f["record_id"] == deal["id"]]
    assert _as(org, "rep", "DELETE", f"/api/v1/follows/{mine_follow['id']}").status_code == 404
    assert _as(org, "admin", "DELETE", f"/api/v1/follows/{mine_follow['id']}").status_code == 204


def test_a_lead_assigned_to_you_notifies_you(org: Org) -> None:
    body = {"last_name": f"L{uuid.uuid4().hex[:6]}", "company": "Co", "owner_id": org.ids["rep_id"]}
    lead = _ok(_as(org, "manager", "POST", "/api/v1/leads", json=body), 201)

    def assigned() -> list[dict[str, Any]]:
        items = _ok(_as(org, "rep", "GET", "/api/v1/notifications"))["items"]
        return [n for n in items if n["record_id"] == lead["id"] and n["type"] == "assigned"]

    deadline = time.monotonic() + WAIT_SECONDS
    while not assigned() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(assigned()) == 1
