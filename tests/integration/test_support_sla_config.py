"""Business-hours calendars and SLA policies end to end through the gateway (real
processes): CRUD with ETag/If-Match, 422 problem+json naming the field, ordering and
reordering, the match preview, tenancy and who may change the configuration."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.integration.api import Api, Session, Tenant

HOURS = "/api/v1/business-hours"
POLICIES = "/api/v1/sla-policies"
OFFICE = {
    "mon": [["09:00", "12:00"], ["13:00", "17:00"]],
    **{d: [["09:00", "17:00"]] for d in ("tue", "wed", "thu", "fri")},
}


@pytest.fixture(scope="module")
def tenant(api: Api) -> Tenant:
    return api.create_tenant()


def call(api: Api, who: Session, method: str, path: str, **kw: Any) -> httpx.Response:
    return api.request(method, path, who, **kw)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if status != 204 else None


def fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["field"] for e in response.json()["errors"]]


def calendar(**values: Any) -> dict[str, Any]:
    return {
        "name": f"Office {uuid.uuid4().hex[:6]}",
        "timezone": "Europe/Amsterdam",
        "weekly": OFFICE,
        "holidays": ["2026-12-25", "2026-12-26"],
        **values,
    }


def test_business_hours_crud_with_etags(api: Api, tenant: Tenant) -> None:
    admin = tenant.admin
    created = call(api, admin, "POST", HOURS, json=calendar(name="Amsterdam office"))
    body = ok(created, 201)
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"].endswith(f"{HOURS}/{body['id']}")
    assert body["weekly"]["mon"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert "sat" not in body["weekly"]
    assert body["holidays"] == ["2026-12-25", "2026-12-26"] and body["always_open"] is False

    path = f"{HOURS}/{body['id']}"
    got = call(api, admin, "GET", path)
    assert ok(got)["timezone"] == "Europe/Amsterdam" and got.headers["ETag"] == '"1"'
    listed = ok(call(api, admin, "GET", HOURS))["items"]
    assert body["id"] in [c["id"] for c in listed]

    change = {"weekly": {"sat": [["10:00", "24:00"]]}, "timezone": "Asia/Tokyo"}
    patched = call(api, admin, "PATCH", path, json=change, headers={"If-Match": '"1"'})
    assert ok(patched)["weekly"] == {"sat": [["10:00", "24:00"]]}
    assert patched.headers["ETag"] == '"2"'
    stale = call(api, admin, "PATCH", path, json={"name": "late"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    taken = call(api, admin, "POST", HOURS, json=calendar(name="AMSTERDAM OFFICE"))
    assert taken.status_code == 409
    assert [e["field"] for e in taken.json()["errors"]] == ["name"]

    always = ok(call(api, admin, "POST", HOURS, json=calendar(weekly={}, always_open=True)), 201)
    assert always["always_open"] is True and always["weekly"] == {}

    assert ok(call(api, admin, "DELETE", path, headers={"If-Match": '"2"'}), 204) is None
    assert call(api, admin, "GET", path).status_code == 404


def test_business_hours_validation_names_the_field(api: Api, tenant: Tenant) -> None:
    admin = tenant.admin
    service_rules = {
        "timezone": calendar(timezone="Mars/Olympus_Mons"),
        "weekly.mon[1]": calendar(weekly={"mon": [["09:00", "12:00"], ["11:30", "13:00"]]}),
        "weekly.tue[0]": calendar(weekly={"tue": [["17:00", "09:00"]]}),
        "weekly": calendar(weekly={}),
    }
    for field, body in service_rules.items():
        assert fields(call(api, admin, "POST", HOURS, json=body)) == [field], field
    # shapes the gateway refuses before the service sees them
    for body, where in (
        (calendar(weekly={"funday": [["09:00", "17:00"]]}), "funday"),
        (calendar(weekly={"wed": [["9am", "17:00"]]}), "wed"),
        (calendar(weekly={"wed": [["09:00", "24:30"]]}), "wed"),
        (calendar(holidays=["2026-13-01"]), "holidays"),
        (calendar(extra=True), "extra"),
    ):
        found = fields(call(api, admin, "POST", HOURS, json=body))
        assert any(where in f for f in found), (where, found)


def policy(**values: Any) -> dict[str, Any]:
    return {
        "name": f"Policy {uuid.uuid4().hex[:6]}",
        "first_response_minutes": 60,
        "resolution_minutes": 480,
        **values,
    }


def test_policies_order_reorder_and_match(api: Api) -> None:
    admin = api.create_tenant().admin
    hours = ok(call(api, admin, "POST", HOURS, json=calendar()), 201)
    contract = str(uuid.uuid4())
    gold = ok(
        call(
            api,
            admin,
            "POST",
            POLICIES,
            json=policy(
                name="Gold P1",
                conditions={"priorities": ["P1"], "account_tiers": ["gold"]},
                business_hours_id=hours["id"],
                resolution_minutes=120,
                warning_percent=75,
                pause_statuses=["waiting_on_customer"],
                escalations=[
                    {"level": 1, "after_minutes": 0, "notify_manager": True},
                    {"level": 2, "after_minutes": 60, "group_id": str(uuid.uuid4())},
                ],
            ),
        ),
        201,
    )
    assert gold["position"] == 1 and gold["business_hours_id"] == hours["id"]
    assert gold["pause_statuses"] == ["waiting_on_customer"]
    assert [e["level"] for e in gold["escalations"]] == [1, 2]
    assert gold["escalations"][0]["group_id"] is None
    default = ok(call(api, admin, "POST", POLICIES, json=policy(name="Default")), 201)
    assert default["position"] == 2 and default["business_hours_id"] is None
    assert default["warning_percent"] == 80 and default["next_response_minutes"] is None
    assert sorted(default["pause_statuses"]) == ["waiting_on_customer", "waiting_on_third_party"]
    first = ok(
        call(
            api,
            admin,
            "POST",
            POLICIES,
            json=policy(
                name="Contract", position=1, conditions={"service_contract_ids": [contract]}
            ),
        ),
        201,
    )
    names = [p["name"] for p in ok(call(api, admin, "GET", POLICIES))["items"]]
    assert names == ["Contract", "Gold P1", "Default"]

    def match(**params: str) -> Any:
        return ok(call(api, admin, "GET", f"{POLICIES}/match", params=params))

    assert match(priority="P1", account_tier="Gold")["policy"]["id"] == gold["id"]
    assert (
        match(priority="P1", account_tier="gold", service_contract_id=contract)["policy"]["id"]
        == first["id"]
    )
    assert match(priority="P2", account_tier="gold")["policy"]["id"] == default["id"]

    # reorder: the default first; then it catches everything
    moved = call(api, admin, "PATCH", f"{POLICIES}/{default['id']}", json={"position": 1})
    assert ok(moved)["position"] == 1
    names = [p["name"] for p in ok(call(api, admin, "GET", POLICIES))["items"]]
    assert names == ["Default", "Contract", "Gold P1"]
    assert match(priority="P1", account_tier="gold")["policy"]["id"] == default["id"]
    # deactivate it, clear a target (null), and the gold policy matches again
    version = moved.headers["ETag"]
    off = call(
        api,
        admin,
        "PATCH",
        f"{POLICIES}/{default['id']}",
        json={"active": False, "first_response_minutes": None},
        headers={"If-Match": version},
    )
    assert ok(off)["active"] is False and off.json()["first_response_minutes"] is None
    assert match(priority="P1", account_tier="gold")["policy"]["id"] == gold["id"]
    active = ok(call(api, admin, "GET", POLICIES, params={"active": "true"}))["items"]
    assert [p["name"] for p in active] == ["Contract", "Gold P1"]

    # a calendar in use cannot go; the policy delete closes the gap
    assert call(api, admin, "DELETE", f"{HOURS}/{hours['id']}").status_code == 409
    ok(call(api, admin, "DELETE", f"{POLICIES}/{gold['id']}"), 204)
    ok(call(api, admin, "DELETE", f"{HOURS}/{hours['id']}"), 204)
    positions = [p["position"] for p in ok(call(api, admin, "GET", POLICIES))["items"]]
    assert positions == [1, 2]
    # only the contract policy is active now: a case without the contract gets none
    assert match(priority="P4") == {"matched": False, "policy": None}
    ok(call(api, admin, "PATCH", f"{POLICIES}/{default['id']}", json={"active": True}))
    assert match(priority="P4")["policy"]["id"] == default["id"]


def test_policy_validation_names_the_field(api: Api, tenant: Tenant) -> None:
    admin = tenant.admin
    service_rules = {
        "resolution_minutes": {"name": "no targets"},
        "escalations[1].level": policy(
            escalations=[{"level": 1, "after_minutes": 0}, {"level": 1, "after_minutes": 5}]
        ),
        "escalations[1].after_minutes": policy(
            escalations=[{"level": 1, "after_minutes": 60}, {"level": 2, "after_minutes": 5}]
        ),
        "business_hours_id": policy(business_hours_id=str(uuid.uuid4())),
    }
    for field, body in service_rules.items():
        assert fields(call(api, admin, "POST", POLICIES, json=body)) == [field], field
    for body, where in (
        (policy(conditions={"priorities": ["P7"]}), "priorities"),
        (policy(warning_percent=100), "warning_percent"),
        (policy(warning_percent=0), "warning_percent"),
        (policy(pause_statuses=["resolved"]), "pause_statuses"),
        (policy(resolution_minutes=0), "resolution_minutes"),
        (policy(conditions={"service_contract_ids": ["x"]}), "service_contract_ids"),
        (policy(position=0), "position"),
    ):
        found = fields(call(api, admin, "POST", POLICIES, json=body))
        assert any(where in f for f in found), (where, found)
    made = ok(call(api, admin, "POST", POLICIES, json=policy(active=False)), 201)
    refused = call(api, admin, "PATCH", f"{POLICIES}/{made['id']}", json={"name": None})
    assert any("name" in f for f in fields(refused))
    assert fields(call(api, admin, "GET", f"{POLICIES}/match", params={"priority": "P9"}))


def test_tenants_do_not_see_each_other(api: Api, tenant: Tenant) -> None:
    mine = ok(call(api, tenant.admin, "POST", HOURS, json=calendar()), 201)
    pol = ok(call(api, tenant.admin, "POST", POLICIES, json=policy(active=False)), 201)
    other = api.create_tenant().admin
    assert call(api, other, "GET", f"{HOURS}/{mine['id']}").status_code == 404
    assert call(api, other, "GET", f"{POLICIES}/{pol['id']}").status_code == 404
    assert call(api, other, "DELETE", f"{POLICIES}/{pol['id']}").status_code == 404
    assert ok(call(api, other, "GET", HOURS))["items"] == []
    assert ok(call(api, other, "GET", POLICIES))["items"] == []
    named = call(api, other, "POST", POLICIES, json=policy(business_hours_id=mine["id"]))
    assert fields(named) == ["business_hours_id"]
