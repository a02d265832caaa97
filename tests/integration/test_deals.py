"""Pipelines, deals and the kanban board end to end: gateway -> sales (access
resolved by identity) -> PostgreSQL, and deal events through NATS JetStream."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import nats
import pytest

from crm.sales.v1 import deals_pb2
from crm_common.events.envelope import parse_envelope, unpack_payload
from tests.integration.access_org import Org, build_org, new_pipeline_body
from tests.integration.api import Api
from tests.integration.conftest import Stack

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {**org.headers(who), **kw.pop("headers", {})}
    return org.api.http.request(method, path, headers=headers, **kw)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _deal(org: Org, who: str, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Deal {uuid.uuid4().hex[:6]}", **fields}
    return _ok(_as(org, who, "POST", "/api/v1/deals", json=body), 201)


def _pipeline(org: Org, stages: list[dict[str, Any]]) -> dict[str, Any]:
    body = {"name": f"P {uuid.uuid4().hex[:6]}", "stages": stages}
    return _ok(_as(org, "admin", "POST", "/api/v1/pipelines", json=body), 201)


def _errors(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return [e["field"] for e in response.json()["errors"]]


def test_default_pipeline_is_seeded_with_its_stages(org: Org) -> None:
    listed = _ok(_as(org, "rep", "GET", "/api/v1/pipelines"))["items"]
    default = listed[0]
    assert default["is_default"]
    assert [(s["name"], s["probability"], s["kind"]) for s in default["stages"]] == [
        ("Prospecting", 10, "open"),
        ("Qualification", 20, "open"),
        ("Needs analysis", 40, "open"),
        ("Proposal", 60, "open"),
        ("Negotiation", 80, "open"),
        ("Closed won", 100, "won"),
        ("Closed lost", 0, "lost"),
    ]
    deal = _deal(org, "rep", amount="1200.50", currency="EUR")
    assert (deal["pipeline_id"], deal["stage_id"]) == (default["id"], default["stages"][0]["id"])
    assert (deal["amount"], deal["currency"], deal["probability"]) == ("1200.50", "EUR", 10)


# Hand-computed board of one pipeline (Qualify 15 %, Propose 35 %, Won, Lost):
# weighted = sum(amount * probability) / 100, rounded half-up once per sum, so the
# three EUR 0.10 deals add 0.045 (not 3 x 0.02) to Qualify.
BOARD_DEALS = [
    ("Qualify", "1000.00", "EUR", {}),
    ("Qualify", "0.10", "EUR", {}),
    ("Qualify", "0.10", "EUR", {}),
    ("Qualify", "0.10", "EUR", {}),
    ("Qualify", "99.99", "USD", {}),
    ("Qualify", "1001", "JPY", {}),
    ("Qualify", None, None, {}),  # no amount yet: counted, not summed
    ("Propose", "200.00", "EUR", {"probability": 50}),
    ("Propose", "10.00", "USD", {}),
    ("Won", "500.00", "EUR", {}),
    ("Lost", "70.00", "USD", {"lost_reason": "Budget cut"}),
]
EXPECTED_BOARD = {
    # stage: (count, amounts, weighted amounts)
    "Qualify": (
        7,
        {"EUR": "1000.30", "JPY": "1001", "USD": "99.99"},
        {"EUR": "150.05", "JPY": "150", "USD": "15.00"},
    ),
    "Propose": (2, {"EUR": "200.00", "USD": "10.00"}, {"EUR": "100.00", "USD": "3.50"}),
    "Won": (1, {"EUR": "500.00"}, {"EUR": "500.00"}),
    "Lost": (1, {"USD": "70.00"}, {"USD": "0.00"}),
}


def _sums(values: list[dict[str, str]]) -> dict[str, str]:
    assert [v["currency"] for v in values] == sorted(v["currency"] for v in values)
    return {v["currency"]: v["amount"] for v in values}


def test_board_sums_per_column_match_the_hand_computed_table(org: Org) -> None:
    pipeline = _pipeline(
        org,
        [
            {"name": "Qualify", "probability": 15},
            {"name": "Propose", "probability": 35},
            {"name": "Won", "kind": "won"},
            {"name": "Lost", "kind": "lost"},
        ],
    )
    stage = {s["name"]: s["id"] for s in pipeline["stages"]}
    for name, amount, currency, extra in BOARD_DEALS:
        money = {"amount": amount, "currency": currency} if amount else {}
        _deal(org, "admin", pipeline_id=pipeline["id"], stage_id=stage[name], **money, **extra)
    _deal(org, "admin", amount="5.00", currency="EUR")  # another pipeline: not on this board
    params = {"pipeline_id": pipeline["id"], "cards_per_column": 2}
    board = _ok(_as(org, "admin", "GET", "/api/v1/deals/board", params=params))
    got = {
        c["stage"]["name"]: (c["count"], _sums(c["amounts"]), _sums(c["weighted_amounts"]))
        for c in board["columns"]
    }
    assert got == EXPECTED_BOARD
    assert [c["stage"]["name"] for c in board["columns"]] == ["Qualify", "Propose", "Won", "Lost"]
    qualify = board["columns"][0]
    assert len(qualify["cards"]) == 2 and qualify["next_cursor"]
    rest = _ok(
        _as(
            org,
            "admin",
            "GET",
            "/api/v1/deals",
            params={**params, "stage_id": stage["Qualify"], "cursor": qualify["next_cursor"]},
        )
    )
    ids = [c["id"] for c in qualify["cards"]] + [d["id"] for d in rest["items"]]
    assert len(set(ids)) == 7
    # The rep sees none of the admin's deals, on the board or in the list.
    mine = _ok(_as(org, "rep", "GET", "/api/v1/deals/board", params=params))
    assert [c["count"] for c in mine["columns"]] == [0, 0, 0, 0]
    assert all(c["amounts"] == [] and c["cards"] == [] for c in mine["columns"])


def test_won_and_lost_close_the_deal_and_history_is_kept(org: Org) -> None:
    stages = {
        s["name"]: s["id"]
        for s in _ok(_as(org, "rep", "GET", "/api/v1/pipelines"))["items"][0]["stages"]
    }
    deal = _deal(org, "rep", amount="900.00", currency="USD", close_date="2026-12-31")
    path = f"/api/v1/deals/{deal['id']}"
    missing = _as(org, "rep", "PATCH", path, json={"stage_id": stages["Closed lost"]})
    assert _errors(missing) == ["lost_reason"]
    lost = _ok(
        _as(
            org,
            "rep",
            "PATCH",
            path,
            json={"stage_id": stages["Closed lost"], "lost_reason": "Went dark"},
            headers={"If-Match": '"1"'},
        )
    )
    assert (lost["status"], lost["probability"], lost["lost_reason"]) == ("lost", 0, "Went dark")
    assert lost["closed_at"] and lost["version"] == 2
    reopened = _ok(_as(org, "rep", "PATCH", path, json={"stage_id": stages["Proposal"]}))
    assert (reopened["status"], reopened["probability"], reopened["closed_at"]) == (
        "open",
        60,
        None,
    )
    stale = _as(org, "rep", "PATCH", path, json={"name": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    won = _ok(_as(org, "rep", "PATCH", path, json={"stage_id": stages["Closed won"]}))
    assert (won["status"], won["probability"]) == ("won", 100) and won["closed_at"]
    history = _ok(_as(org, "manager", "GET", path))["stage_history"]
    assert [h["to_stage_id"] for h in history] == [
        stages["Prospecting"], stages["Closed lost"], stages["Proposal"], stages["Closed won"],
    ]  # fmt: skip
    assert history[0]["from_stage_id"] is None
    assert all(h["changed_by"] == org.ids["rep_id"] for h in history)
    assert _as(org, "peer", "GET", path).status_code == 404


async def _find_won_event(nats_url: str, deal_id: str) -> deals_pb2.DealStageChanged:
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        sub = await js.subscribe("crm.sales.deal.won", ordered_consumer=True)
        try:
            for _ in range(1000):  # bounded scan of the stream
                envelope = parse_envelope((await sub.next_msg(timeout=10)).data)
                if envelope.subject_id == deal_id:
                    return unpack_payload(envelope, deals_pb2.DealStageChanged)
        finally:
            await sub.unsubscribe()
    finally:
        await client.close()
    raise AssertionError("deal.won event not found in the stream")


def test_a_won_deal_publishes_an_event(org: Org, stack: Stack) -> None:
    deal = _deal(org, "rep", amount="4321.00", currency="EUR")
    default = _ok(_as(org, "rep", "GET", "/api/v1/pipelines"))["items"][0]
    won_stage = next(s["id"] for s in default["stages"] if s["kind"] == "won")
    _ok(_as(org, "rep", "PATCH", f"/api/v1/deals/{deal['id']}", json={"stage_id": won_stage}))
    payload = asyncio.run(_find_won_event(stack.infra.nats_url, deal["id"]))
    assert (payload.to_status, payload.amount, payload.currency) == ("won", "4321.00", "EUR")
    assert payload.owner_id == org.ids["rep_id"] and payload.to_stage_id == won_stage


def test_bad_input_is_422_naming_the_field(org: Org) -> None:
    def create(**fields: Any) -> httpx.Response:
        return _as(org, "rep", "POST", "/api/v1/deals", json={"name": "N", **fields})

    assert _errors(create(amount="10.001", currency="EUR")) == ["amount"]
    assert _errors(create(amount="10", currency="JPY", probability=101)) == ["probability"]
    assert _errors(create(amount="10.00", currency="XXQ")) == ["currency"]
    assert _errors(create(amount=10.5, currency="EUR")) == ["amount"]  # never a float
    assert _errors(create(close_date="31/12/2026")) == ["close_date"]
    assert _errors(create(account_id=str(uuid.uuid4()))) == ["account_id"]
    deal = _deal(org, "rep")
    roles = f"/api/v1/deals/{deal['id']}/contact-roles"
    bad_role = {"contact_roles": [{"contact_id": str(uuid.uuid4()), "role": "boss"}]}
    assert _errors(_as(org, "rep", "PUT", roles, json=bad_role)) == ["contact_roles.0.role"]
    nobody = {"contact_roles": [{"contact_id": str(uuid.uuid4()), "role": "champion"}]}
    assert _errors(_as(org, "rep", "PUT", roles, json=nobody)) == ["contact_roles[0].contact_id"]
    splits = f"/api/v1/deals/{deal['id']}/splits"
    uneven = {"splits": [{"user_id": org.ids["rep_id"], "percent": "99.99"}]}
    assert _errors(_as(org, "rep", "PUT", splits, json=uneven)) == ["splits"]
    stages = [{"name": "Only open"}]
    refused = _as(org, "admin", "POST", "/api/v1/pipelines", json={"name": "X", "stages": stages})
    assert _errors(refused) == ["stages"]
    assert _ok(_as(org, "rep", "GET", f"/api/v1/deals/{deal['id']}"))["version"] == 1


def test_contact_roles_and_splits_are_part_of_the_deal(org: Org) -> None:
    account = _ok(_as(org, "rep", "POST", "/api/v1/accounts", json={"name": "Roles Inc"}), 201)
    contacts = [
        _ok(
            _as(
                org,
                "rep",
                "POST",
                "/api/v1/contacts",
                json={"last_name": n, "account_id": account["id"]},
            ),
            201,
        )["id"]
        for n in ("Ada", "Bob")
    ]
    deal = _deal(org, "rep", account_id=account["id"], amount="100.00", currency="EUR")
    roles = [
        {"contact_id": contacts[0], "role": "decision_maker", "is_primary": True},
        {"contact_id": contacts[1], "role": "technical_buyer"},
    ]
    path = f"/api/v1/deals/{deal['id']}"
    _ok(_as(org, "rep", "PUT", f"{path}/contact-roles", json={"contact_roles": roles}))
    splits = [
        {"user_id": org.ids["rep_id"], "percent": "66.67"},
        {"user_id": org.ids["manager_id"], "percent": "33.33"},
    ]
    _ok(_as(org, "rep", "PUT", f"{path}/splits", json={"splits": splits, "version": 2}))
    read = _ok(_as(org, "manager", "GET", path))
    assert read["contact_roles"] == [{**roles[0]}, {**roles[1], "is_primary": False}]
    assert read["splits"] == splits and read["version"] == 3
    listed = _ok(_as(org, "rep", "GET", "/api/v1/deals", params={"account_id": account["id"]}))
    assert [d["id"] for d in listed["items"]] == [deal["id"]]


def test_list_filters_sorts_and_recycle_bin(org: Org) -> None:
    tag = f"t{uuid.uuid4().hex[:6]}"
    amounts = ["300.00", "100.00", "200.00"]
    made = [_deal(org, "manager", amount=a, currency="EUR", tags=[tag]) for a in amounts]
    _deal(org, "manager", tags=[tag], close_date="2026-01-15")  # no amount: sorts last descending

    def listed(**params: Any) -> list[str]:
        page = _ok(_as(org, "manager", "GET", "/api/v1/deals", params={"tag": tag, **params}))
        return [d["amount"] for d in page["items"]]

    assert listed(sort="-amount") == ["300.00", "200.00", "100.00", None]
    assert listed(sort="amount", limit=2) == [None, "100.00"]
    assert listed(close_date_from="2026-01-01", close_date_to="2026-01-31") == [None]
    assert listed(q=made[0]["name"]) == ["300.00"]
    assert _as(org, "manager", "GET", "/api/v1/deals", params={"sort": "bogus"}).status_code == 422
    path = f"/api/v1/deals/{made[0]['id']}"
    assert _as(org, "manager", "DELETE", path).status_code == 204
    assert _as(org, "manager", "GET", path).status_code == 404
    binned = _ok(_as(org, "manager", "GET", "/api/v1/recycle-bin", params={"module": "deals"}))
    assert made[0]["id"] in {item["id"] for item in binned["items"]}
    restored = _ok(_as(org, "manager", "POST", f"{path}/restore"))
    assert restored["amount"] == "300.00"


def test_pipeline_edits_and_stage_removal(org: Org) -> None:
    pipeline = _ok(
        _as(
            org,
            "admin",
            "POST",
            "/api/v1/pipelines",
            json=new_pipeline_body(f"E-{uuid.uuid4().hex[:6]}"),
        ),
        201,
    )
    open_, won, lost = pipeline["stages"]
    _deal(org, "admin", pipeline_id=pipeline["id"])
    path = f"/api/v1/pipelines/{pipeline['id']}"
    keep = [
        {"id": won["id"], "name": "Won", "kind": "won"},
        {"id": lost["id"], "name": "Lost", "kind": "lost"},
    ]
    removing = _as(org, "admin", "PATCH", path, json={"stages": [{"name": "New"}, *keep]})
    assert removing.status_code == 409 and removing.headers["content-type"].startswith(PROBLEM)
    stages = [
        {"name": "First", "probability": 5},
        {"id": open_["id"], "name": "Open", "probability": 55},
        *keep,
    ]
    changed = _ok(
        _as(org, "admin", "PATCH", path, json={"stages": stages}, headers={"If-Match": '"1"'})
    )
    assert [(s["name"], s["position"], s["probability"]) for s in changed["stages"]] == [
        ("First", 0, 5), ("Open", 1, 55), ("Won", 2, 100), ("Lost", 3, 0),
    ]  # fmt: skip
    assert _as(org, "manager", "PATCH", path, json={"name": "Nope"}).status_code == 403
