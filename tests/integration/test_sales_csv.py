"""Accounts, contacts and deals CSV with their relations, and activities in the
recycle bin, end to end: gateway -> sales -> PostgreSQL."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import httpx

from tests.integration.api import Api, Session

CSV = {"Content-Type": "text/csv"}


def _import(api: Api, admin: Session, what: str, data: str, **headers: str) -> httpx.Response:
    return api.request(
        "POST", f"/api/v1/{what}/import", admin, content=data, headers={**CSV, **headers}
    )


def _export(api: Api, session: Session, what: str, **params: Any) -> list[dict[str, str]]:
    response = api.request("GET", f"/api/v1/{what}/export", session, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_relations_by_external_id_and_name_round_trip(api: Api) -> None:
    tenant = api.create_tenant()
    admin, u = tenant.admin, uuid.uuid4().hex[:6]
    accounts = (
        "name,external_id,parent_external_id,billing_city,tags\r\n"
        f"Holding {u},H-{u},,Utrecht,csv\r\n"
        f"Branch {u},B-{u},H-{u},,csv\r\n"
    )
    key = {"Idempotency-Key": f"accounts-{u}"}
    made = _import(api, admin, "accounts", accounts, **key)
    assert made.status_code == 201, made.text
    assert made.json()["created"] == 2
    again = _import(api, admin, "accounts", accounts, **key)  # replayed, not imported twice
    assert again.json() == made.json()
    holding_id, branch_id = made.json()["ids"]
    branch = api.request("GET", f"/api/v1/accounts/{branch_id}", admin).json()
    assert (branch["external_id"], branch["parent_id"]) == (f"B-{u}", holding_id)

    contacts = (
        "first_name,last_name,account_external_id,account_name,external_id\r\n"
        f"Ann,Archer,B-{u},,C-{u}\r\n"
        f"Bob,Baker,,holding {u},\r\n"
    )
    made = _import(api, admin, "contacts", contacts)
    assert made.status_code == 201, made.text
    deals = (
        f"name,account_name,stage,amount,currency,close_date\r\nDeal {u},Branch {u},Proposal,"
        "1200.50,EUR,2026-12-31\r\n"
    )
    made = _import(api, admin, "deals", deals)
    assert made.status_code == 201, made.text

    exported = {r["name"]: r for r in _export(api, admin, "accounts", tag="csv")}
    assert set(exported) == {f"Holding {u}", f"Branch {u}"}
    assert exported[f"Branch {u}"]["parent_name"] == f"Holding {u}"
    assert exported[f"Branch {u}"]["parent_external_id"] == f"H-{u}"
    assert exported[f"Holding {u}"]["billing_city"] == "Utrecht"
    people = {r["last_name"]: r for r in _export(api, admin, "contacts")}
    assert people["Archer"]["account_name"] == f"Branch {u}"
    assert people["Archer"]["account_external_id"] == f"B-{u}"
    assert people["Archer"]["external_id"] == f"C-{u}"
    assert (people["Baker"]["account_id"], people["Baker"]["account_name"]) == (
        holding_id,
        f"Holding {u}",
    )
    [deal] = _export(api, admin, "deals")
    assert (deal["account_name"], deal["account_external_id"]) == (f"Branch {u}", f"B-{u}")
    assert (deal["pipeline"], deal["stage"], deal["status"]) == (
        "Sales pipeline",
        "Proposal",
        "open",
    )
    assert (deal["amount"], deal["currency"], deal["close_date"]) == (
        "1200.50",
        "EUR",
        "2026-12-31",
    )

    listed = api.request("GET", "/api/v1/accounts", admin, params={"tag": "csv"}).json()
    assert {a["id"] for a in listed["items"]} == {holding_id, branch_id}


def test_bad_relations_are_refused_whole(api: Api) -> None:
    tenant = api.create_tenant()
    admin = tenant.admin
    for _ in range(2):
        api.request("POST", "/api/v1/accounts", admin, json={"name": "Twin"})
    data = "last_name,account_name,account_external_id\r\nOk,,\r\nAmb,twin,\r\nNone,,NOPE\r\n"
    refused = _import(api, admin, "contacts", data)
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == [
        "row 2: account_name",
        "row 3: account_name",
        "row 4: account_external_id",
    ]
    assert api.request("GET", "/api/v1/contacts", admin).json()["items"] == []
    taken = api.request("POST", "/api/v1/accounts", admin, json={"name": "X", "external_id": "E"})
    assert taken.status_code == 201
    clash = api.request("POST", "/api/v1/accounts", admin, json={"name": "Y", "external_id": "E"})
    assert clash.status_code == 409, clash.text


def test_hidden_fields_have_no_column(api: Api) -> None:
    tenant = api.create_tenant()
    admin, u = tenant.admin, uuid.uuid4().hex[:6]
    profile = api.request(
        "POST",
        "/api/v1/profiles",
        admin,
        json={
            "name": f"Exporter {u}",
            "permissions": {"accounts": ["view", "create", "export", "import"]},
            "fields": {"accounts": {"external_id": "hidden"}},
        },
    ).json()
    email = f"exporter-{u}@{tenant.slug}.example"
    api.create_user(admin, email, profile_ids=[profile["id"]])
    exporter = api.login(tenant.slug, email)
    made = _import(api, exporter, "accounts", "name,parent_name\r\nTop,\r\nSub,Top\r\n")
    assert made.status_code == 201, made.text
    rows = _export(api, exporter, "accounts")
    assert {r["name"]: r["parent_name"] for r in rows} == {"Top": "", "Sub": "Top"}
    assert "external_id" not in rows[0] and "parent_external_id" not in rows[0]
    refused = _import(api, exporter, "accounts", "name,external_id\r\nX,1\r\n")
    assert [e["field"] for e in refused.json()["errors"]] == ["row 1: external_id"]


def test_activity_recycle_bin_round_trip(api: Api) -> None:
    admin = api.create_tenant().admin
    lead = api.request("POST", "/api/v1/leads", admin, json={"last_name": "Bin"}).json()
    task = {"type": "task", "subject": "Binned task", "related_type": "lead"}
    made = api.request("POST", "/api/v1/activities", admin, json={**task, "related_id": lead["id"]})
    assert made.status_code == 201, made.text
    activity_id = made.json()["id"]
    assert api.request("DELETE", f"/api/v1/activities/{activity_id}", admin).status_code == 204

    binned = api.request("GET", "/api/v1/recycle-bin", admin, params={"module": "activities"})
    assert [(i["id"], i["name"]) for i in binned.json()["items"]] == [(activity_id, "Binned task")]
    restored = api.request("POST", f"/api/v1/activities/{activity_id}/restore", admin)
    assert restored.status_code == 200, restored.text
    assert restored.json()["subject"] == "Binned task" and restored.headers["ETag"]
    assert api.request("GET", f"/api/v1/activities/{activity_id}", admin).status_code == 200

    api.request("DELETE", f"/api/v1/activities/{activity_id}", admin)
    api.request("DELETE", f"/api/v1/leads/{lead['id']}", admin)
    refused = api.request("POST", f"/api/v1/activities/{activity_id}/restore", admin)
    assert refused.status_code == 409, refused.text
