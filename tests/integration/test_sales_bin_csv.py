"""Recycle bin of sales records and leads CSV end to end: gateway -> sales ->
PostgreSQL."""

from __future__ import annotations

import csv
import io
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


def _ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_delete_list_in_bin_restore(org: Org) -> None:
    name = f"Bin-{uuid.uuid4().hex[:6]}"
    body = {"last_name": name, "company": name, "owner_id": org.ids["rep_id"]}
    created = _as(org, "manager", "POST", "/api/v1/leads", json=body)
    assert created.status_code == 201, created.text
    lead_id = created.json()["id"]

    assert _as(org, "manager", "DELETE", f"/api/v1/leads/{lead_id}").status_code == 204
    assert lead_id not in _ids(_as(org, "rep", "GET", "/api/v1/leads", params={"q": name}))

    binned = _as(org, "manager", "GET", "/api/v1/recycle-bin", params={"module": "leads"})
    item = next(i for i in binned.json()["items"] if i["id"] == lead_id)
    assert item["module"] == "leads"
    assert name in item["name"]
    assert item["deleted_by"] == org.ids["manager_id"]
    assert item["deleted_at"]
    # the rep may not delete, so has no bin; another tenant does not find the lead
    rep_bin = _as(org, "rep", "GET", "/api/v1/recycle-bin", params={"module": "leads"})
    assert rep_bin.status_code == 403
    assert _as(org, "other_tenant", "POST", f"/api/v1/leads/{lead_id}/restore").status_code == 404

    restored = _as(org, "manager", "POST", f"/api/v1/leads/{lead_id}/restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["id"] == lead_id
    assert restored.headers["ETag"]
    assert lead_id in _ids(_as(org, "rep", "GET", "/api/v1/leads", params={"q": name}))
    again = _as(org, "manager", "POST", f"/api/v1/leads/{lead_id}/restore")
    assert again.status_code == 404


def test_contact_of_deleted_account_is_not_restored(org: Org) -> None:
    account = org.admin("POST", "/api/v1/accounts", json={"name": f"A-{uuid.uuid4().hex[:6]}"})
    contact = org.admin(
        "POST", "/api/v1/contacts", json={"last_name": "C", "account_id": account["id"]}
    )
    for path in (f"/api/v1/contacts/{contact['id']}", f"/api/v1/accounts/{account['id']}"):
        assert _as(org, "admin", "DELETE", path).status_code == 204
    refused = _as(org, "admin", "POST", f"/api/v1/contacts/{contact['id']}/restore")
    assert refused.status_code == 409, refused.text
    ok = _as(org, "admin", "POST", f"/api/v1/accounts/{account['id']}/restore")
    assert ok.status_code == 200, ok.text
    ok = _as(org, "admin", "POST", f"/api/v1/contacts/{contact['id']}/restore")
    assert ok.status_code == 200, ok.text
    assert ok.json()["account_id"] == account["id"]


def _rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_export_has_the_lead_and_no_hidden_column(org: Org) -> None:
    profile = org.admin(
        "POST",
        "/api/v1/profiles",
        json={
            "name": f"Exporter {uuid.uuid4().hex[:6]}",
            "permissions": {"leads": ["view", "create", "export"]},
            "fields": {"leads": {"phone": "hidden"}},
        },
    )
    email = f"exporter-{uuid.uuid4().hex[:6]}@{org.tenant.slug}.example"
    org.admin(
        "POST",
        "/api/v1/users",
        json={"email": email, "password": "correct-horse-battery", "profile_ids": [profile["id"]]},
    )
    exporter = org.api.login(org.tenant.slug, email)
    name = f"Exp-{uuid.uuid4().hex[:6]}"
    mine = org.api.request("POST", "/api/v1/leads", exporter, json={"last_name": name})
    assert mine.status_code == 201, mine.text
    admin_lead = org.admin(
        "POST", "/api/v1/leads", json={"last_name": name, "phone": "+31 20 555 0199"}
    )

    rows = _rows(org.api.request("GET", "/api/v1/leads/export", exporter, params={"q": name}))
    assert [r["id"] for r in rows] == [mine.json()["id"]]  # private: only its own
    assert "phone" not in rows[0] and rows[0]["last_name"] == name

    everything = _rows(org.api.request("GET", "/api/v1/leads/export", org.tenant.admin))
    by_id = {r["id"]: r for r in everything}
    # a leading + is neutralised for spreadsheets (import takes the quote off again)
    assert by_id[admin_lead["id"]]["phone"] == "'+31 20 555 0199"
    assert mine.json()["id"] in by_id
    refused = _as(org, "read_only", "GET", "/api/v1/leads/export")
    assert refused.status_code == 403


def test_import_is_all_or_nothing(org: Org) -> None:
    tag = f"imp{uuid.uuid4().hex[:6]}"
    bad = (
        "last_name,email,tags,owner_id\r\n"
        f"Ann,ann-{tag}@x.example,{tag},{org.ids['rep_id']}\r\n"
        f"Bea,not-an-email,{tag},\r\n"
        f"Cid,cid-{tag}@x.example,{tag},\r\n"
    )
    headers = {"Content-Type": "text/csv"}
    refused = _as(org, "manager", "POST", "/api/v1/leads/import", content=bad, headers=headers)
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["row 3: email"]
    listed = _as(org, "admin", "GET", "/api/v1/leads", params={"tag": tag})
    assert _ids(listed) == []

    good = bad.replace("not-an-email", f"bea-{tag}@x.example")
    created = _as(org, "manager", "POST", "/api/v1/leads/import", content=good, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["created"] == 3
    listed = _as(org, "admin", "GET", "/api/v1/leads", params={"tag": tag})
    leads = {lead["id"]: lead for lead in listed.json()["items"]}
    assert set(leads) == set(created.json()["ids"])
    owners = sorted(lead["owner_id"] for lead in leads.values())
    assert owners == sorted([org.ids["rep_id"], org.ids["manager_id"], org.ids["manager_id"]])
    rep_try = _as(org, "rep", "POST", "/api/v1/leads/import", content=good, headers=headers)
    assert rep_try.status_code == 403
