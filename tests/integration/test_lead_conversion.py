"""Lead conversion end to end: gateway -> sales (one transaction) -> PostgreSQL,
with lineage both ways, a 409 the second time, bad input refused with nothing
created, a failure mid-way leaving no partial rows, and the event on JetStream."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api
from tests.integration.conftest import Stack
from tests.integration.jetstream import find_event


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return org.api.http.request(method, path, headers=org.headers(who), **kw)


def _lead(org: Org, **fields: Any) -> dict[str, Any]:
    company = f"Convert-{uuid.uuid4().hex[:8]} Ltd"
    body = {"first_name": "Grace", "last_name": "Hopper", "company": company, **fields}
    response = _as(org, "rep", "POST", "/api/v1/leads", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _convert(org: Org, lead_id: str, **body: Any) -> httpx.Response:
    return _as(org, "rep", "POST", f"/api/v1/leads/{lead_id}/convert", json=body)


def _accounts_named(org: Org, name: str) -> list[dict[str, Any]]:
    page = org.admin("GET", "/api/v1/accounts", params={"q": name})
    return [a for a in page["items"] if a["name"] == name]


def test_conversion_with_a_deal_keeps_lineage_both_ways(org: Org, stack: Stack) -> None:
    lead = _lead(org, email="grace@example.com", industry="Navy")
    response = _convert(
        org, lead["id"], create_deal=True, deal_name="Compiler", amount="2500.00", currency="USD"
    )
    assert response.status_code == 200, response.text
    done = response.json()
    assert done["account_created"] is True and done["deal_id"]

    converted = _as(org, "rep", "GET", f"/api/v1/leads/{lead['id']}").json()
    account = _as(org, "rep", "GET", f"/api/v1/accounts/{done['account_id']}").json()
    contact = _as(org, "rep", "GET", f"/api/v1/contacts/{done['contact_id']}").json()
    assert converted["status"] == "converted" and converted["converted_at"]
    assert converted["converted_account_id"] == account["id"]
    assert converted["converted_contact_id"] == contact["id"]
    assert converted["converted_deal_id"] == done["deal_id"]
    assert (account["name"], account["industry"], account["lead_id"]) == (
        lead["company"],
        "Navy",
        lead["id"],
    )
    assert (contact["account_id"], contact["email"], contact["lead_id"]) == (
        account["id"],
        "grace@example.com",
        lead["id"],
    )
    deal = _as(org, "rep", "GET", f"/api/v1/deals/{done['deal_id']}").json()
    assert (deal["name"], deal["amount"], deal["currency"]) == ("Compiler", "2500.00", "USD")
    assert deal["account_id"] == account["id"] and deal["lead_id"] == lead["id"]

    event = asyncio.run(find_event(stack.infra.nats_url, "crm.sales.lead.converted", lead["id"]))
    assert event.tenant_id == org.tenant.id


def test_second_conversion_is_409_and_the_lead_is_read_only(org: Org) -> None:
    lead = _lead(org)
    assert _convert(org, lead["id"]).status_code == 200
    again = _convert(org, lead["id"])
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    patch = _as(org, "rep", "PATCH", f"/api/v1/leads/{lead['id']}", json={"title": "x"})
    assert patch.status_code == 409
    assert len(_accounts_named(org, lead["company"])) == 1


def test_merge_into_an_existing_account(org: Org) -> None:
    name = f"Existing-{uuid.uuid4().hex[:8]}"
    account = _as(org, "rep", "POST", "/api/v1/accounts", json={"name": name}).json()
    lead = _lead(org, industry="Shipping")
    done = _convert(org, lead["id"], account_id=account["id"]).json()
    assert done["account_id"] == account["id"] and done["account_created"] is False
    merged = _as(org, "rep", "GET", f"/api/v1/accounts/{account['id']}").json()
    assert (merged["name"], merged["industry"]) == (name, "Shipping")
    assert _accounts_named(org, lead["company"]) == []


def test_bad_input_is_refused_and_changes_nothing(org: Org) -> None:
    lead = _lead(org)
    cases = [
        ({"create_deal": True, "amount": "12.5"}, "currency"),
        ({"create_deal": True, "amount": "lots", "currency": "EUR"}, "amount"),
        ({"amount": "10.00", "currency": "EUR"}, "amount"),
        ({"account_id": "not-a-uuid"}, "account_id"),
        ({"account_id": str(uuid.uuid4())}, "account_id"),
    ]
    for body, field in cases:
        response = _convert(org, lead["id"], **body)
        assert response.status_code == 422, (body, response.text)
        assert field in str(response.json()), (body, response.text)
    assert _as(org, "rep", "GET", f"/api/v1/leads/{lead['id']}").json()["status"] == "new"
    assert _accounts_named(org, lead["company"]) == []


def test_a_failure_mid_way_leaves_no_partial_rows(org: Org) -> None:
    """The account and contact are written before the deal; a pipeline that does
    not exist fails the deal step and takes them back."""
    lead = _lead(org)
    response = _convert(org, lead["id"], create_deal=True, pipeline_id=str(uuid.uuid4()))
    assert response.status_code == 422 and "pipeline_id" in response.text, response.text
    assert _accounts_named(org, lead["company"]) == []
    contacts = org.admin("GET", "/api/v1/contacts", params={"q": "Hopper"})["items"]
    assert all(c.get("lead_id") != lead["id"] for c in contacts)
    after = _as(org, "rep", "GET", f"/api/v1/leads/{lead['id']}").json()
    assert after["status"] == "new" and after["converted_account_id"] is None


def test_peers_cannot_convert_what_they_cannot_see(org: Org) -> None:
    lead = _lead(org)
    path = f"/api/v1/leads/{lead['id']}/convert"
    assert _as(org, "peer", "POST", path, json={}).status_code == 404
    assert _as(org, "other_tenant", "POST", path, json={}).status_code == 404
    assert _as(org, "rep", "GET", f"/api/v1/leads/{lead['id']}").json()["status"] == "new"
