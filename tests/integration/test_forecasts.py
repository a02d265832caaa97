"""Forecasts end to end: deals of a manager's team in a quarter, summed per
owner and rolled up the role hierarchy against quotas, matching a table
computed by hand (forecasts.proto has the rules)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api

Q4 = {"period": "2026-Q4"}


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    org = build_org(api)
    _seed_deals(org)
    yield org


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return org.api.http.request(method, path, headers=org.headers(who), **kw)


def _stages(org: Org) -> dict[str, str]:
    pipelines = _as(org, "rep", "GET", "/api/v1/pipelines").json()["items"]
    default = next(p for p in pipelines if p["is_default"])
    return {stage["name"]: stage["id"] for stage in default["stages"]}


def _deal(org: Org, who: str, stage: str, amount: str, currency: str, close: str) -> str:
    body = {
        "name": f"{who} {stage} {amount}",
        "amount": amount,
        "currency": currency,
        "close_date": close,
        "stage_id": _stages(org)[stage],
    }
    response = _as(org, who, "POST", "/api/v1/deals", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _seed_deals(org: Org) -> None:
    _deal(org, "rep", "Proposal", "1000.00", "EUR", "2026-11-15")  # best case (60%)
    _deal(org, "rep", "Negotiation", "500.00", "EUR", "2026-12-01")  # commit (80%)
    won = _deal(org, "rep", "Negotiation", "2000.00", "EUR", "2026-10-20")
    moved = _as(
        org, "rep", "PATCH", f"/api/v1/deals/{won}", json={"stage_id": _stages(org)["Closed won"]}
    )
    assert moved.status_code == 200, moved.text
    _deal(org, "rep", "Prospecting", "300.00", "USD", "2026-11-01")  # pipeline (10%)
    _deal(org, "rep", "Proposal", "9999.00", "EUR", "2027-01-10")  # another quarter
    _deal(org, "peer", "Negotiation", "700.00", "EUR", "2026-10-05")
    _deal(org, "manager", "Qualification", "100.00", "EUR", "2026-11-30")
    quota = {"period": "2026-Q4", "currency": "EUR"}
    org.admin(
        "PUT", "/api/v1/quotas", json={**quota, "user_id": org.ids["rep_id"], "amount": "10000"}
    )
    by_manager = {**quota, "user_id": org.ids["peer_id"], "amount": "5000.00"}
    assert _as(org, "manager", "PUT", "/api/v1/quotas", json=by_manager).status_code == 200


def _eur(totals: list[dict[str, Any]]) -> dict[str, Any]:
    return next(t for t in totals if t["currency"] == "EUR")


def _figures(totals: dict[str, Any]) -> tuple[Any, ...]:
    names = ("pipeline", "weighted_pipeline", "best_case", "commit", "closed_won", "quota")
    return (*(totals[n] for n in names), totals["attainment_percent"])


def test_manager_sees_each_owner_and_the_roll_up(org: Org) -> None:
    response = _as(org, "manager", "GET", "/api/v1/forecasts", params=Q4)
    assert response.status_code == 200, response.text
    forecast = response.json()
    assert (forecast["start_date"], forecast["end_date"]) == ("2026-10-01", "2026-12-31")
    owners = {o["owner_id"]: o for o in forecast["owners"]}
    assert forecast["owners"][0]["owner_id"] == org.ids["manager_id"]
    assert set(owners) == {org.ids[f"{w}_id"] for w in ("manager", "rep", "peer")}

    rep = owners[org.ids["rep_id"]]["totals"]
    assert _figures(_eur(rep)) == (
        "1500.00", "1000.00", "3500.00", "2500.00", "2000.00", "10000.00", "20.00"
    )  # fmt: skip
    usd = next(t for t in rep if t["currency"] == "USD")
    assert (usd["pipeline"], usd["weighted_pipeline"], usd["quota"]) == ("300.00", "30.00", None)
    peer = _eur(owners[org.ids["peer_id"]]["totals"])
    assert _figures(peer) == ("700.00", "560.00", "700.00", "700.00", "0.00", "5000.00", "0.00")
    manager = _eur(owners[org.ids["manager_id"]]["totals"])
    assert _figures(manager) == ("100.00", "20.00", "0.00", "0.00", "0.00", None, None)

    roles = {r["name"]: r for r in forecast["roles"]}
    assert [(r["name"], r["depth"]) for r in forecast["roles"]] == [
        ("Sales Manager", 0),
        ("Sales Rep", 1),
    ]
    assert _figures(_eur(roles["Sales Rep"]["totals"])) == (
        "2200.00", "1560.00", "4200.00", "3200.00", "2000.00", "15000.00", "13.33"
    )  # fmt: skip
    assert _figures(_eur(forecast["total"])) == (
        "2300.00", "1580.00", "4200.00", "3200.00", "2000.00", "15000.00", "13.33"
    )  # fmt: skip


def test_a_rep_sees_only_their_own_forecast(org: Org) -> None:
    own = _as(org, "rep", "GET", "/api/v1/forecasts", params=Q4).json()
    assert [o["owner_id"] for o in own["owners"]] == [org.ids["rep_id"]]
    assert _eur(own["total"])["closed_won"] == "2000.00"
    above = {**Q4, "owner_id": org.ids["manager_id"]}
    assert _as(org, "rep", "GET", "/api/v1/forecasts", params=above).status_code == 403
    peer = {**Q4, "owner_id": org.ids["peer_id"]}
    assert _as(org, "rep", "GET", "/api/v1/forecasts", params=peer).status_code == 403
    assert _as(org, "other_tenant", "GET", "/api/v1/forecasts", params=peer).status_code in (
        403,
        404,
    )


def test_quotas_are_set_from_above_and_validated(org: Org) -> None:
    own = {"user_id": org.ids["rep_id"], "period": "2026-Q4", "amount": "1", "currency": "EUR"}
    assert _as(org, "rep", "PUT", "/api/v1/quotas", json=own).status_code == 403
    for bad, field in [
        ({"period": "2026-Q5"}, "period"),
        ({"amount": "-5"}, "amount"),
        ({"currency": "XXX"}, "currency"),
        ({"user_id": "nope"}, "user_id"),
    ]:
        response = org.api.request("PUT", "/api/v1/quotas", org.tenant.admin, json={**own, **bad})
        assert response.status_code == 422 and field in response.text, (bad, response.text)
    listed = org.admin("GET", "/api/v1/quotas", params=Q4)["items"]
    assert {(q["user_id"], q["amount"]) for q in listed} == {
        (org.ids["rep_id"], "10000.00"),
        (org.ids["peer_id"], "5000.00"),
    }
    assert _as(org, "rep", "GET", "/api/v1/forecasts", params={"period": "Q4"}).status_code == 422
