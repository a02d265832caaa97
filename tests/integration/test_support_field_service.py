"""Field service end to end through the gateway (real processes): a service
contract consumed by a case and a work order's timelogs, work-order numbers and
transitions, a technician refused a double booking (409 problem+json), timelog
totals, ETags, idempotent creates, validation naming the field, owner-based
visibility and tenancy."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    org = build_org(api)
    profiles = org.admin("GET", "/api/v1/profiles", params={"limit": 200})["items"]
    agent_profile = next(p["id"] for p in profiles if p["name"] == "Support Agent")
    for name in ("agent", "agent2"):
        email = f"{name}@{org.tenant.slug}.example"
        body = {"email": email, "password": "correct-horse-battery",
                "profile_ids": [agent_profile]}  # fmt: skip
        org.ids[f"{name}_id"] = org.admin("POST", "/api/v1/users", json=body)["id"]
        org.sessions[name] = api.login(org.tenant.slug, email)
    yield org


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return org.api.http.request(method, path, headers={**org.headers(who), **kw.pop("headers", {})},
                                **kw)  # fmt: skip


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _problem(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body


def _contract(org: Org, who: str = "admin", **changes: Any) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    body = {"name": f"Care {uuid.uuid4().hex[:6]}", "account_id": str(uuid.uuid4()),
            "start_date": str(today - timedelta(days=5)),
            "end_date": str(today + timedelta(days=365)), "entitlement_type": "hours",
            "entitlement_total": "2", "status": "active", "tier": "Gold", **changes}  # fmt: skip
    return _ok(_as(org, who, "POST", "/api/v1/service-contracts", json=body), 201)


def _visit(order_id: str, technician: str, hour: float, hours: float = 1) -> dict[str, Any]:
    start = datetime(2031, 5, 6, tzinfo=UTC) + timedelta(hours=hour)
    return {"work_order_id": order_id, "technician_id": technician,
            "scheduled_start": start.isoformat(),
            "scheduled_end": (start + timedelta(hours=hours)).isoformat()}  # fmt: skip


def test_contract_consumption_by_case_and_work_order_time(org: Org) -> None:
    contract = _contract(org)
    assert (contract["status"], contract["tier"], contract["entitlement_total"]) == (
        "active", "gold", "2.00",
    )  # fmt: skip
    assert contract["consumption"] == {"cases_used": 0, "hours_used": "0.00", "used": "0.00",
                                       "remaining": "2.00", "exhausted": False}  # fmt: skip
    case = _ok(_as(org, "admin", "POST", "/api/v1/cases", json={
        "subject": "Printer jams", "priority": "P2", "service_contract_id": contract["id"],
    }), 201)  # fmt: skip
    logged = _ok(_as(org, "admin", "POST", f"/api/v1/cases/{case['id']}/timelogs",
                     json={"minutes": 90, "note": "remote session"}), 201)  # fmt: skip
    assert (logged["user_id"], logged["billable"], logged["case_id"]) == (
        org.tenant.admin_user_id, True, case["id"],
    )  # fmt: skip
    order = _ok(_as(org, "admin", "POST", "/api/v1/work-orders",
                    json={"subject": "Replace roller", "service_contract_id": contract["id"],
                          "case_id": case["id"]}), 201)  # fmt: skip
    assert order["account_id"] == contract["account_id"]  # from the contract
    _ok(_as(org, "admin", "POST", f"/api/v1/work-orders/{order['id']}/timelogs",
            json={"minutes": 60, "billable": False}), 201)  # fmt: skip
    used = _ok(_as(org, "admin", "GET", f"/api/v1/service-contracts/{contract['id']}"))
    assert used["consumption"] == {"cases_used": 1, "hours_used": "2.50", "used": "2.50",
                                   "remaining": "0.00", "exhausted": True}  # fmt: skip
    times = _ok(_as(org, "admin", "GET", f"/api/v1/cases/{case['id']}/timelogs"))
    assert [t["minutes"] for t in times["items"]] == [90]
    assert times["totals"] == {"total_minutes": 90, "billable_minutes": 90,
                               "total_hours": "1.50", "billable_hours": "1.50"}  # fmt: skip
    on_order = _ok(_as(org, "admin", "GET", f"/api/v1/work-orders/{order['id']}/timelogs"))
    assert (on_order["totals"]["total_minutes"], on_order["totals"]["billable_minutes"]) == (60, 0)
    query = {"account_id": contract["account_id"], "status": "active"}
    listed = _ok(_as(org, "admin", "GET", "/api/v1/service-contracts", params=query))
    assert [c["id"] for c in listed["items"]] == [contract["id"]]
    assert _as(org, "admin", "DELETE", f"/api/v1/timelogs/{logged['id']}").status_code == 204
    again = _ok(_as(org, "admin", "GET", f"/api/v1/service-contracts/{contract['id']}"))
    assert (again["consumption"]["hours_used"], again["consumption"]["exhausted"]) == (
        "1.00", False,
    )  # fmt: skip


def test_contract_rules_etags_and_idempotency(org: Org) -> None:
    bad = _as(org, "admin", "POST", "/api/v1/service-contracts", json={
        "name": "x", "account_id": str(uuid.uuid4()), "start_date": "2026-01-01",
        "end_date": "2026-12-31", "entitlement_type": "visits", "entitlement_total": "1",
    })  # fmt: skip
    _problem(bad, 422, "entitlement_type")
    early = _as(org, "admin", "POST", "/api/v1/service-contracts", json={
        "name": "x", "account_id": str(uuid.uuid4()), "start_date": "2026-02-01",
        "end_date": "2026-01-01", "entitlement_type": "cases", "entitlement_total": "1.5",
    })  # fmt: skip
    body = _problem(early, 422)
    assert {e["field"] for e in body["errors"]} == {"end_date", "entitlement_total"}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    once = {"name": "Once", "account_id": str(uuid.uuid4()), "start_date": "2026-01-01",
            "end_date": "2999-12-31", "entitlement_type": "cases",
            "entitlement_total": "10"}  # fmt: skip
    first = _as(org, "admin", "POST", "/api/v1/service-contracts", headers=key, json=once)
    second = _as(org, "admin", "POST", "/api/v1/service-contracts", headers=key, json=once)
    made = _ok(first, 201)
    assert (first.headers["ETag"], made["status"]) == ('"1"', "draft")
    assert second.json()["id"] == made["id"]
    path = f"/api/v1/service-contracts/{made['id']}"
    activated = _as(org, "admin", "PATCH", path, json={"status": "active"},
                    headers={"If-Match": '"1"'})  # fmt: skip
    assert (_ok(activated)["status"], activated.headers["ETag"]) == ("active", '"2"')
    _problem(_as(org, "admin", "PATCH", path, json={"name": "y"}, headers={"If-Match": '"1"'}), 409)
    _problem(_as(org, "admin", "PATCH", path, json={"status": "draft"}), 409)
    _problem(_as(org, "admin", "PATCH", path, json={"status": "expired"}), 422, "status")
    _problem(_as(org, "admin", "PATCH", path, json={"name": None}), 422, "name")
    past = str(datetime.now(UTC).date() - timedelta(days=1))
    assert _ok(_as(org, "admin", "PATCH", path, json={"end_date": past}))["status"] == "expired"
    expired = _ok(_as(org, "admin", "GET", "/api/v1/service-contracts",
                      params={"status": "expired", "limit": 200}))  # fmt: skip
    assert made["id"] in [c["id"] for c in expired["items"]]
    _problem(_as(org, "other_tenant", "GET", path), 404)
    assert _as(org, "admin", "DELETE", path).status_code == 204
    _problem(_as(org, "admin", "GET", path), 404)


def test_work_orders_numbers_and_transitions(org: Org) -> None:
    order = _ok(_as(org, "admin", "POST", "/api/v1/work-orders", json={"subject": "Inspect"}), 201)
    year = datetime.now(UTC).year
    assert re.fullmatch(rf"WO-{year}-\d{{6}}", order["number"])
    assert (order["status"], order["priority"]) == ("new", "P3")
    path = f"/api/v1/work-orders/{order['id']}"
    _problem(_as(org, "admin", "PATCH", path, json={"status": "completed"}), 409)
    _problem(_as(org, "admin", "PATCH", path, json={"status": "paused"}), 422, "status")
    _problem(_as(org, "admin", "POST", "/api/v1/work-orders",
                 json={"subject": "x", "case_id": str(uuid.uuid4())}), 422, "case_id")  # fmt: skip
    _ok(_as(org, "admin", "PATCH", path, json={"status": "in_progress"}))
    done = _ok(_as(org, "admin", "PATCH", path, json={"status": "completed"}))
    assert done["completed_at"] is not None
    _problem(_as(org, "admin", "PATCH", path, json={"subject": "again"}), 409)
    following = _ok(_as(org, "admin", "POST", "/api/v1/work-orders", json={"subject": "Next"}), 201)
    assert int(following["number"][-6:]) == int(order["number"][-6:]) + 1
    completed = _ok(_as(org, "admin", "GET", "/api/v1/work-orders", params={"status": "completed"}))
    assert order["id"] in [o["id"] for o in completed["items"]]


def test_a_technician_cannot_be_double_booked(org: Org) -> None:
    order = _ok(_as(org, "admin", "POST", "/api/v1/work-orders", json={"subject": "Fit"}), 201)
    tech = org.ids["agent_id"]
    first = _ok(_as(org, "admin", "POST", "/api/v1/service-appointments",
                    json={**_visit(order["id"], tech, 9), "address": "Dam 1"}), 201)  # fmt: skip
    assert (first["status"], first["technician_id"]) == ("scheduled", tech)
    scheduled = _ok(_as(org, "admin", "GET", f"/api/v1/work-orders/{order['id']}"))
    assert scheduled["status"] == "scheduled"
    clash = _as(org, "admin", "POST", "/api/v1/service-appointments",
                json=_visit(order["id"], tech, 9.5))  # fmt: skip
    _problem(clash, 409, "technician_id")
    _ok(_as(org, "admin", "POST", "/api/v1/service-appointments",
            json=_visit(order["id"], tech, 10)), 201)  # back to back  # fmt: skip
    backwards = _visit(order["id"], tech, 20, hours=-1)
    _problem(_as(org, "admin", "POST", "/api/v1/service-appointments", json=backwards), 422,
             "scheduled_end")  # fmt: skip
    naive = {**_visit(order["id"], tech, 30), "scheduled_start": "2031-05-07T09:00:00"}
    _problem(_as(org, "admin", "POST", "/api/v1/service-appointments", json=naive), 422)
    path = f"/api/v1/service-appointments/{first['id']}"
    _ok(_as(org, "admin", "PATCH", path, json={"status": "cancelled"}))
    _ok(_as(org, "admin", "POST", "/api/v1/service-appointments",
            json=_visit(order["id"], tech, 9)), 201)  # the slot is free again  # fmt: skip
    mine = _ok(_as(org, "agent", "GET", "/api/v1/service-appointments",
                   params={"status": "scheduled"}))  # fmt: skip
    assert len(mine["items"]) == 2  # the technician sees their own visits
    assert all(a["technician_id"] == tech for a in mine["items"])


def test_owner_visibility_and_timelogs_of_agents(org: Org) -> None:
    order = _ok(_as(org, "agent", "POST", "/api/v1/work-orders", json={"subject": "Own"}), 201)
    assert order["owner_id"] == org.ids["agent_id"]
    path = f"/api/v1/work-orders/{order['id']}"
    _problem(_as(org, "agent2", "GET", path), 404)
    _problem(_as(org, "rep", "GET", path), 403)  # sales profiles have no work orders
    assert _ok(_as(org, "admin", "GET", path))["id"] == order["id"]
    logged = _ok(_as(org, "agent", "POST", f"{path}/timelogs", json={"minutes": 20}), 201)
    _problem(_as(org, "agent2", "POST", f"{path}/timelogs", json={"minutes": 5}), 404)
    _problem(_as(org, "agent", "POST", f"{path}/timelogs",
                 json={"minutes": 5, "user_id": org.ids["agent2_id"]}), 403)  # fmt: skip
    _problem(_as(org, "agent", "POST", f"{path}/timelogs", json={"minutes": 0}), 422, "minutes")
    _problem(_as(org, "agent2", "DELETE", f"/api/v1/timelogs/{logged['id']}"), 404)
    assert _as(org, "agent", "DELETE", f"/api/v1/timelogs/{logged['id']}").status_code == 204
    # Agents have no delete on work orders; read-only users list none of the agent's.
    _problem(_as(org, "agent", "DELETE", path), 403)
    assert _ok(_as(org, "read_only", "GET", "/api/v1/work-orders"))["items"] == []
