"""The account 360 view through the gateway: every part from its owning service,
and a part the caller may not see marked instead of failing the whole view."""

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
    response = org.api.http.request(method, path, headers=org.headers(who), **kw)
    assert response.status_code in (200, 201), f"{method} {path}: {response.text}"
    return response


def _account_with_records(org: Org) -> str:
    account = _as(org, "rep", "POST", "/api/v1/accounts", json={"name": f"360-{uuid.uuid4()}"})
    account_id = account.json()["id"]
    for name in ("Ada", "Grace"):
        contact = {"account_id": account_id, "last_name": name}
        _as(org, "rep", "POST", "/api/v1/contacts", json=contact)
    deal = {"name": "Open deal", "account_id": account_id, "amount": "100.00", "currency": "EUR"}
    _as(org, "rep", "POST", "/api/v1/deals", json=deal)
    won = _as(org, "rep", "POST", "/api/v1/deals", json={**deal, "name": "Won"}).json()
    pipelines = _as(org, "rep", "GET", "/api/v1/pipelines").json()["items"]
    stages = next(p for p in pipelines if p["is_default"])["stages"]
    won_stage = next(s["id"] for s in stages if s["kind"] == "won")
    _as(org, "rep", "PATCH", f"/api/v1/deals/{won['id']}", json={"stage_id": won_stage})
    task = {"type": "task", "subject": "Call", "related_type": "account", "related_id": account_id}
    _as(org, "rep", "POST", "/api/v1/activities", json=task)
    return str(account_id)


def test_every_part_of_the_account_in_one_view(org: Org) -> None:
    account_id = _account_with_records(org)
    view = _as(org, "rep", "GET", f"/api/v1/accounts/{account_id}/overview").json()
    assert view["account"]["id"] == account_id
    parts = ("contacts", "open_deals", "quotes", "orders", "activities")
    assert {part: view[part]["status"] for part in parts} == dict.fromkeys(parts, "ok")
    assert sorted(c["last_name"] for c in view["contacts"]["items"]) == ["Ada", "Grace"]
    assert [d["name"] for d in view["open_deals"]["items"]] == ["Open deal"]
    assert [a["subject"] for a in view["activities"]["items"]] == ["Call"]
    assert view["quotes"]["items"] == [] and view["orders"]["items"] == []
    paged = _as(org, "rep", "GET", f"/api/v1/accounts/{account_id}/overview?limit=1").json()
    assert len(paged["contacts"]["items"]) == 1 and paged["contacts"]["next_cursor"]


def test_a_part_the_caller_may_not_see_is_marked(org: Org) -> None:
    account_id = _account_with_records(org)
    permissions = {m: ["view"] for m in ("accounts", "contacts", "deals", "activities")}
    body = {"name": f"no-quotes-{uuid.uuid4()}", "permissions": permissions}
    profile = org.admin("POST", "/api/v1/profiles", json=body)
    email = f"viewer-{uuid.uuid4().hex[:8]}@{org.tenant.slug}.example"
    org.admin(
        "POST",
        "/api/v1/users",
        json={
            "email": email,
            "password": "correct-horse-battery",
            "profile_ids": [profile["id"]],
            "role_id": org.ids["manager_role_id"],
        },
    )
    viewer = org.api.login(org.tenant.slug, email)
    response = org.api.http.get(f"/api/v1/accounts/{account_id}/overview", headers=viewer.headers)
    assert response.status_code == 200, response.text
    view = response.json()
    assert (view["quotes"]["status"], view["orders"]["status"]) == ("forbidden", "forbidden")
    assert view["quotes"]["items"] == []
    assert view["contacts"]["status"] == "ok" and len(view["contacts"]["items"]) == 2
    assert view["open_deals"]["status"] == "ok"


def test_an_account_you_cannot_see_is_404(org: Org) -> None:
    account_id = _account_with_records(org)
    path = f"/api/v1/accounts/{account_id}/overview"
    for who in ("peer", "other_tenant"):
        assert org.api.http.get(path, headers=org.headers(who)).status_code == 404
