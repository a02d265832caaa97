"""Accounts and contacts end to end: gateway -> sales (access resolved by identity)
-> PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {**org.headers(who), **kw.pop("headers", {})}
    return org.api.http.request(method, path, headers=headers, **kw)


def _account(org: Org, who: str, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Acme {uuid.uuid4().hex[:6]}", **fields}
    response = _as(org, who, "POST", "/api/v1/accounts", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _contact(org: Org, who: str, account_id: str, **fields: Any) -> httpx.Response:
    body = {"last_name": f"C-{uuid.uuid4().hex[:6]}", "account_id": account_id, **fields}
    return _as(org, who, "POST", "/api/v1/contacts", json=body)


def test_rep_creates_manager_sees_peer_does_not(org: Org) -> None:
    address = {"street": "Main 1", "city": "Utrecht", "postal_code": "3511", "country": "NL"}
    account = _account(org, "rep", billing_address=address, website="acme.example")
    assert account["owner_id"] == org.ids["rep_id"]
    assert account["billing_address"] == {**address, "region": ""}
    created = _contact(org, "rep", account["id"], email="Ada@Acme.Example")
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["email"] == "ada@acme.example" and contact["account_id"] == account["id"]
    for path in (f"/api/v1/accounts/{account['id']}", f"/api/v1/contacts/{contact['id']}"):
        assert _as(org, "manager", "GET", path).status_code == 200
        assert _as(org, "peer", "GET", path).status_code == 404
        assert _as(org, "other_tenant", "GET", path).status_code == 404
    listed = _as(org, "manager", "GET", "/api/v1/contacts", params={"account_id": account["id"]})
    assert [c["id"] for c in listed.json()["items"]] == [contact["id"]]
    peer_list = _as(org, "peer", "GET", "/api/v1/accounts", params={"limit": 200}).json()
    assert account["id"] not in {a["id"] for a in peer_list["items"]}
    assert _contact(org, "peer", account["id"]).status_code == 404
    missing = _contact(org, "rep", str(uuid.uuid4()))
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["account_id"]


def test_parent_hierarchy_refuses_cycles(org: Org) -> None:
    top = _account(org, "rep")
    child = _account(org, "rep", parent_id=top["id"])
    grandchild = _account(org, "rep", parent_id=child["id"])
    found = _as(org, "rep", "GET", "/api/v1/accounts", params={"parent_id": top["id"]}).json()
    assert [a["id"] for a in found["items"]] == [child["id"]]
    path = f"/api/v1/accounts/{top['id']}"
    for parent in (grandchild["id"], top["id"]):
        refused = _as(org, "rep", "PATCH", path, json={"parent_id": parent})
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["parent_id"]
    moved = _as(org, "rep", "PATCH", f"/api/v1/accounts/{grandchild['id']}", json={"parent_id": ""})
    assert moved.status_code == 200 and moved.json()["parent_id"] is None
    stale = _as(org, "rep", "PATCH", path, json={"name": "X"}, headers={"If-Match": '"9"'})
    assert stale.status_code == 409


def test_delete_account_with_contacts_is_refused(org: Org) -> None:
    account = _account(org, "rep")
    contact = _contact(org, "rep", account["id"]).json()
    path = f"/api/v1/accounts/{account['id']}"
    assert _as(org, "manager", "DELETE", path).status_code == 409
    assert _as(org, "manager", "DELETE", f"/api/v1/contacts/{contact['id']}").status_code == 204
    assert _as(org, "manager", "DELETE", path).status_code == 204
    assert _as(org, "manager", "GET", path).status_code == 404
