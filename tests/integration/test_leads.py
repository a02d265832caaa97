"""Leads end to end: gateway -> sales (access resolved by identity) -> PostgreSQL,
and the lead.created event on JetStream."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api
from tests.integration.conftest import Stack
from tests.integration.jetstream import find_event

ACCESS_CACHE_SECONDS = 5.0  # sales caches a resolved access context this long


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {**org.headers(who), **kw.pop("headers", {})}
    return org.api.http.request(method, path, headers=headers, **kw)


def _create(org: Org, who: str, **fields: Any) -> dict[str, Any]:
    body = {"last_name": f"L-{uuid.uuid4().hex[:6]}", **fields}
    response = _as(org, who, "POST", "/api/v1/leads", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _eventually(check: Callable[[], bool], timeout: float = ACCESS_CACHE_SECONDS + 5) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.25)


def _set_default(org: Org, access: str) -> None:
    org.admin("PUT", "/api/v1/sharing-rules/defaults", json={"defaults": {"leads": access}})


def test_record_visibility_follows_the_role_tree(org: Org) -> None:
    lead = _create(org, "rep", email="Ada@Example.com", phone="+31 20 555 0100")
    path = f"/api/v1/leads/{lead['id']}"
    assert lead["owner_id"] == org.ids["rep_id"] and lead["email"] == "ada@example.com"
    assert lead["status"] == "new" and [h["to_status"] for h in lead["status_history"]] == ["new"]
    assert _as(org, "manager", "GET", path).status_code == 200
    assert _as(org, "admin", "GET", path).status_code == 200
    assert _as(org, "peer", "GET", path).status_code == 404
    assert _as(org, "other_tenant", "GET", path).status_code == 404
    listed = _as(org, "peer", "GET", "/api/v1/leads", params={"limit": 200}).json()
    assert lead["id"] not in {item["id"] for item in listed["items"]}


def test_public_read_lets_the_peer_read_but_not_edit(org: Org) -> None:
    lead = _create(org, "rep")
    path = f"/api/v1/leads/{lead['id']}"
    _set_default(org, "public_read")
    try:
        _eventually(lambda: _as(org, "peer", "GET", path).status_code == 200)
        patch = _as(org, "peer", "PATCH", path, json={"title": "peer was here"})
        assert patch.status_code == 403
    finally:
        _set_default(org, "private")
    _eventually(lambda: _as(org, "peer", "GET", path).status_code == 404)


def test_status_moves_keep_history_and_illegal_moves_are_refused(org: Org) -> None:
    lead = _create(org, "rep")
    path = f"/api/v1/leads/{lead['id']}/status"
    for status in ("contacted", "mql"):
        response = _as(org, "rep", "POST", path, json={"status": status, "reason": "call"})
        assert response.status_code == 200, response.text
    moved = response.json()
    assert [h["to_status"] for h in moved["status_history"]] == ["new", "contacted", "mql"]
    assert all(h["changed_at"] for h in moved["status_history"])
    assert moved["version"] == lead["version"] + 2
    assert _as(org, "rep", "POST", path, json={"status": "new"}).status_code == 409
    assert _as(org, "rep", "POST", path, json={"status": "converted"}).status_code == 409
    stale = _as(org, "rep", "POST", path, json={"status": "sql"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert _as(org, "rep", "POST", path, json={"status": "lost"}).json()["status"] == "lost"
    assert _as(org, "rep", "POST", path, json={"status": "sql"}).status_code == 409


def test_duplicates_are_listed_or_refused(org: Org) -> None:
    company = f"Acme {uuid.uuid4().hex[:6]}"
    first = _create(org, "rep", company=company, email=f"{uuid.uuid4().hex[:6]}@acme.example")
    second = _create(org, "rep", company=company.upper())
    assert second["duplicates"] == [first["id"]]
    refused = _as(
        org,
        "rep",
        "POST",
        "/api/v1/leads",
        params={"on_duplicate": "reject"},
        json={"last_name": "X", "email": first["email"].upper()},
    )
    assert refused.status_code == 409
    assert [e["field"] for e in refused.json()["errors"]] == ["email"]


def test_validation_names_the_field(org: Org) -> None:
    response = _as(org, "rep", "POST", "/api/v1/leads", json={"email": "nope", "score": 101})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} >= {"email", "score", "last_name"}


def test_update_list_filters_and_delete(org: Org) -> None:
    tag = f"t{uuid.uuid4().hex[:6]}"
    lead = _create(org, "rep", company="50%_off Ltd", tags=[tag])
    path = f"/api/v1/leads/{lead['id']}"
    patched = _as(org, "rep", "PATCH", path, json={"score": 40}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200 and patched.json()["score"] == 40
    assert (
        _as(org, "rep", "PATCH", path, json={"score": 1}, headers={"If-Match": '"1"'}).status_code
        == 409
    )
    found = _as(org, "rep", "GET", "/api/v1/leads", params={"q": "50%_", "tag": tag}).json()
    assert [item["id"] for item in found["items"]] == [lead["id"]]
    assert _as(org, "rep", "GET", "/api/v1/leads", params={"q": "5%"}).json()["items"] == []
    assert _as(org, "manager", "DELETE", path).status_code == 204
    assert _as(org, "manager", "GET", path).status_code == 404


def test_a_hidden_field_never_reaches_the_client(org: Org) -> None:
    profile = org.admin(
        "POST",
        "/api/v1/profiles",
        json={
            "name": f"Lead auditor {uuid.uuid4().hex[:6]}",
            "permissions": {"leads": ["view"]},
            "fields": {"leads": {"phone": "hidden"}},
        },
    )
    email = f"lead-auditor-{uuid.uuid4().hex[:6]}@{org.tenant.slug}.example"
    org.admin(
        "POST",
        "/api/v1/users",
        json={"email": email, "password": "correct-horse-battery", "profile_ids": [profile["id"]]},
    )
    auditor = org.api.login(org.tenant.slug, email)
    lead = _create(org, "rep", phone="+31 20 555 0177")
    _set_default(org, "public_read")
    try:
        path = f"/api/v1/leads/{lead['id']}"
        _eventually(lambda: org.api.request("GET", path, auditor).status_code == 200)
        one = org.api.request("GET", path, auditor).json()
        page = org.api.request("GET", "/api/v1/leads", auditor, params={"limit": 200}).json()
    finally:
        _set_default(org, "private")
    assert "phone" not in one and one["id"] == lead["id"]
    assert page["items"] and all("phone" not in item for item in page["items"])
    assert "0177" not in str(page)
    assert org.admin("GET", f"/api/v1/leads/{lead['id']}")["phone"] == "+31 20 555 0177"


def test_lead_created_reaches_jetstream(org: Org, stack: Stack) -> None:
    lead = _create(org, "rep")
    found = asyncio.run(find_event(stack.infra.nats_url, "crm.sales.lead.created", lead["id"]))
    assert (found.tenant_id, found.source) == (org.tenant.id, "sales")


def test_list_filters_and_sort_through_the_gateway(org: Org) -> None:
    source = f"fair-{uuid.uuid4().hex[:6]}"
    for score in (30, 80, 55):
        _create(org, "rep", source=source, score=score)
    params: dict[str, Any] = {"source": source, "sort": "-score", "limit": 2}
    first = _as(org, "rep", "GET", "/api/v1/leads", params=params).json()
    rest = _as(
        org, "rep", "GET", "/api/v1/leads", params={**params, "cursor": first["next_cursor"]}
    ).json()
    assert [lead["score"] for lead in first["items"] + rest["items"]] == [80, 55, 30]
    assert rest["next_cursor"] is None
    later = {"source": source, "created_after": "2999-01-01T00:00:00Z"}
    assert _as(org, "rep", "GET", "/api/v1/leads", params=later).json()["items"] == []
    for bad in ({"sort": "password"}, {"created_after": "yesterday"}):
        response = _as(org, "rep", "GET", "/api/v1/leads", params=bad)
        assert response.status_code == 422, response.text
    mixed = {**params, "sort": "score", "cursor": first["next_cursor"]}
    refused = _as(org, "rep", "GET", "/api/v1/leads", params=mixed)
    assert refused.status_code == 422 and "cursor" in refused.text
