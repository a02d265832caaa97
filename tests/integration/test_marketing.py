"""Marketing end to end (gateway, identity, sales, marketing, notifications as
real processes; real PostgreSQL and NATS): the read model follows sales, a
segment finds a new lead, engagements score it across the MQL threshold and
sales shows it as ``mql``."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.api import Api, Session, Tenant
from tests.integration.conftest import Stack

pytestmark = pytest.mark.usefixtures("stack")


def wait_for(check: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout}s")
        time.sleep(0.2)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None


def call(api: Api, who: Session, method: str, path: str, status: int = 200, **kw: Any) -> Any:
    return ok(api.request(method, path, who, **kw), status)


def new_lead(api: Api, admin: Session, **fields: Any) -> dict[str, Any]:
    body = {
        "first_name": "Ada",
        "last_name": f"Lovelace-{uuid.uuid4().hex[:6]}",
        "email": f"ada-{uuid.uuid4().hex[:8]}@example.com",
        "company": "Analytical Engines",
        "industry": "Software",
        **fields,
    }
    return call(api, admin, "POST", "/api/v1/leads", 201, json=body)  # type: ignore[no-any-return]


def member_ids(api: Api, admin: Session, segment_id: str) -> set[str]:
    page = call(api, admin, "GET", f"/api/v1/segments/{segment_id}/members", params={"limit": 200})
    return {p["id"] for p in page["items"]}


@pytest.fixture(scope="module")
def tenant(api: Api) -> Tenant:
    return api.create_tenant()


def test_new_lead_appears_in_segment_and_engagement_makes_it_mql(api: Api, tenant: Tenant) -> None:
    admin = tenant.admin
    call(api, admin, "PATCH", "/api/v1/marketing-settings", json={"mql_threshold": 40})
    fit = {"name": "Software", "kind": "fit", "field": "industry", "op": "eq",
           "value": "software", "points": 10}  # fmt: skip
    forms = {"name": "Forms", "kind": "engagement", "engagement_type": "form_submitted",
             "points": 15, "max_points": 30, "half_life_days": 90}  # fmt: skip
    call(api, admin, "POST", "/api/v1/scoring-rules", 201, json=fit)
    call(api, admin, "POST", "/api/v1/scoring-rules", 201, json=forms)
    segment = call(
        api, admin, "POST", "/api/v1/segments", 201,
        json={"name": "Software leads", "kind": "lead",
              "conditions": [{"field": "industry", "op": "eq", "value": "SOFTWARE"}]},
    )  # fmt: skip
    lead = new_lead(api, admin)
    other = new_lead(api, admin, industry="Retail")
    members = wait_for(
        lambda: (ids := member_ids(api, admin, segment["id"])) and lead["id"] in ids and ids,
        what="the lead in the segment",
    )
    assert other["id"] not in members
    prospect = next(
        p
        for p in call(api, admin, "GET", f"/api/v1/segments/{segment['id']}/members")["items"]
        if p["id"] == lead["id"]
    )
    assert prospect["email"] == lead["email"] and prospect["fit_score"] == 10

    first = call(api, admin, "POST", "/api/v1/engagements", 201,
                 json={"lead_id": lead["id"], "type": "form_submitted"})  # fmt: skip
    assert first["score"] == 25  # 10 fit + 15
    assert call(api, admin, "GET", f"/api/v1/leads/{lead['id']}")["status"] == "new"
    second = call(api, admin, "POST", "/api/v1/engagements", 201,
                  json={"lead_id": lead["id"], "type": "form_submitted"})  # fmt: skip
    assert second["score"] == 40  # the cap: 30 from forms
    third = call(api, admin, "POST", "/api/v1/engagements", 201,
                 json={"lead_id": lead["id"], "type": "form_submitted"})  # fmt: skip
    assert third["score"] == 40
    shown = wait_for(
        lambda: (
            (got := call(api, admin, "GET", f"/api/v1/leads/{lead['id']}"))["status"] == "mql"
            and got
        ),
        what="sales shows the lead as mql",
    )
    assert shown["score"] == 40
    # a score range segment finds it too
    hot = call(api, admin, "POST", "/api/v1/segments", 201,
               json={"name": "Hot", "min_score": 40, "engaged_within_days": 7,
                     "engagement_types": ["form_submitted"]})  # fmt: skip
    assert member_ids(api, admin, hot["id"]) == {lead["id"]}


def test_bad_input_names_the_field(api: Api, tenant: Tenant) -> None:
    admin = tenant.admin
    body = {"name": "x", "conditions": [{"field": "shoe_size", "op": "eq"}]}
    bad = api.request("POST", "/api/v1/segments", admin, json=body)
    assert bad.status_code == 422
    assert any("conditions" in str(e.get("field", "")) for e in bad.json()["errors"])
    wrong = api.request("POST", "/api/v1/segments", admin,
                        json={"name": "x", "conditions": [{"field": "employees", "op": "gt",
                                                           "value": "many"}]})  # fmt: skip
    assert wrong.status_code == 422
    assert any("conditions[0].value" in e["field"] for e in wrong.json()["errors"])
    unknown = api.request("POST", "/api/v1/engagements", admin,
                          json={"lead_id": str(uuid.uuid4()), "type": "page_visited"})  # fmt: skip
    assert unknown.status_code == 404
    both = api.request("POST", "/api/v1/engagements", admin,
                       json={"type": "page_visited"})  # fmt: skip
    assert both.status_code == 422
    assert any(e["field"] == "lead_id" for e in both.json()["errors"])


def test_other_tenant_sees_nothing(api: Api, tenant: Tenant, stack: Stack) -> None:
    other = api.create_tenant()
    mine = call(api, tenant.admin, "POST", "/api/v1/segments", 201, json={"name": "Mine"})
    assert api.request("GET", f"/api/v1/segments/{mine['id']}", other.admin).status_code == 404
    assert (
        api.request("GET", f"/api/v1/segments/{mine['id']}/members", other.admin).status_code == 404
    )
    assert call(api, other.admin, "GET", "/api/v1/segments")["items"] == []
