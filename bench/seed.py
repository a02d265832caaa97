"""One tenant with a few thousand records, made through the public API as a
customer would (CSV imports for the bulk), plus a small catalogue with stock."""

from __future__ import annotations

import os
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway tenant of a throwaway stack
CSV = {"Content-Type": "text/csv"}
SOURCES = ("web", "referral", "event", "partner", "cold_call")


def _count(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Seeded:
    """What the load mix needs: who calls, and the ids it picks from."""

    token: str
    admin_user_id: str
    lead_ids: list[str]
    account_ids: list[str]
    deal_ids: list[str]
    open_stage_ids: list[str]
    won_stage_id: str
    product_ids: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    # A second user: leads made for them notify them (the event probe's owner).
    probe_owner_id: str = ""
    case_ids: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def ok(response: httpx.Response, status: int = 200) -> Any:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.request.url} answered "
                           f"{response.status_code}: {response.text[:300]}")  # fmt: skip
    return response.json()


async def seed_tenant(http: httpx.AsyncClient, platform_token: str) -> Seeded:
    leads, accounts, deals = (
        _count("CRM_BENCH_LEADS", 3000),
        _count("CRM_BENCH_ACCOUNTS", 500),
        _count("CRM_BENCH_DEALS", 1000),
    )
    token, admin_id = await _tenant(http, platform_token)
    auth = {"Authorization": f"Bearer {token}"}
    pipelines = ok(await http.get("/api/v1/pipelines", headers=auth))["items"]
    pipeline = next(p for p in pipelines if p.get("is_default")) if pipelines else None
    if pipeline is None:
        raise RuntimeError("the tenant has no default pipeline")
    open_stages = [s for s in pipeline["stages"] if s["kind"] == "open"]
    won = next(s for s in pipeline["stages"] if s["kind"] == "won")
    account_ids = await _import(http, auth, "accounts", _accounts_csv(accounts))
    lead_ids = await _import(http, auth, "leads", _leads_csv(leads))
    deal_ids = await _import(http, auth, "deals", _deals_csv(deals, accounts, open_stages))
    products = await _catalogue(http, auth)
    cases = await _help_desk(http, auth, _count("CRM_BENCH_CASES", 300), account_ids)
    return Seeded(
        token, admin_id, lead_ids, account_ids, deal_ids,
        [s["id"] for s in open_stages], won["id"], products,
        {"leads": len(lead_ids), "accounts": len(account_ids), "deals": len(deal_ids),
         "products": len(products), "cases": len(cases)},
        await _probe_owner(http, auth), cases,
    )  # fmt: skip


async def _probe_owner(http: httpx.AsyncClient, auth: dict[str, str]) -> str:
    body = {"email": f"owner-{uuid.uuid4().hex[:6]}@bench.example", "password": PASSWORD,
            "first_name": "Probe", "last_name": "Owner"}  # fmt: skip
    return str(ok(await http.post("/api/v1/users", json=body, headers=auth), 201)["id"])


async def _tenant(http: httpx.AsyncClient, platform_token: str) -> tuple[str, str]:
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    email = f"admin@{slug}.example"
    body = {"name": "Bench Ltd", "slug": slug, "admin_email": email,
            "admin_password": PASSWORD, "currency": "EUR"}  # fmt: skip
    made = ok(await http.post("/api/v1/tenants", json=body,
                              headers={"X-Platform-Token": platform_token}), 201)  # fmt: skip
    login = {"tenant": slug, "email": email, "password": PASSWORD}
    token = ok(await http.post("/api/v1/auth/token", json=login))["access_token"]
    return str(token), str(made["admin_user_id"])


async def _import(http: httpx.AsyncClient, auth: dict[str, str], what: str, data: str) -> list[str]:
    response = await http.post(
        f"/api/v1/{what}/import", content=data.encode(), headers={**auth, **CSV}, timeout=180
    )
    return [str(i) for i in ok(response, 201)["ids"]]


def _accounts_csv(count: int) -> str:
    rows = ["name,external_id,billing_city,tags"]
    cities = ("Amsterdam", "Berlin", "Lyon", "Porto", "Oslo")
    rows += [f"Account {i:05d},ACC-{i:05d},{cities[i % 5]},bench" for i in range(count)]
    return "\r\n".join(rows) + "\r\n"


def _leads_csv(count: int) -> str:
    rows = ["first_name,last_name,email,company,source,tags"]
    rows += [
        f"Lee{i},Lead{i:05d},lead{i:05d}@bench.example,Prospect {i:05d},"
        f"{SOURCES[i % len(SOURCES)]},bench"
        for i in range(count)
    ]
    return "\r\n".join(rows) + "\r\n"


def _deals_csv(count: int, accounts: int, stages: list[dict[str, Any]]) -> str:
    rng = random.Random(7)  # the same data every run
    rows = ["name,account_external_id,stage,amount,currency,close_date,tags"]
    rows += [
        f"Deal {i:05d},ACC-{i % accounts:05d},{stages[i % len(stages)]['name']},"
        f"{rng.randint(500, 90000)}.00,EUR,2027-{1 + i % 12:02d}-15,bench"
        for i in range(count)
    ]
    return "\r\n".join(rows) + "\r\n"


async def _catalogue(http: httpx.AsyncClient, auth: dict[str, str]) -> list[str]:
    """A warehouse and five stock-tracked products with plenty on hand."""
    warehouse = ok(await http.post("/api/v1/warehouses", headers=auth,
                                   json={"code": "BENCH", "name": "Bench"}), 201)  # fmt: skip
    products = []
    for i in range(5):
        body = {"sku": f"BENCH-{i}", "name": f"Widget {i}", "unit_price": f"{10 + i}.50",
                "currency": "EUR", "stock_tracked": True}  # fmt: skip
        product = ok(await http.post("/api/v1/products", json=body, headers=auth), 201)
        stock = {"product_id": product["id"], "warehouse_id": warehouse["id"],
                 "quantity_delta": "1000000", "reason": "bench stock"}  # fmt: skip
        ok(await http.post("/api/v1/stock/adjustments", json=stock, headers=auth), 201)
        products.append(str(product["id"]))
    return products


async def _help_desk(
    http: httpx.AsyncClient, auth: dict[str, str], count: int, account_ids: list[str]
) -> list[str]:
    """An office-hours calendar and an SLA policy (every case gets due times on
    business hours), then ``count`` cases through the API (there is no case import)."""
    weekly = {
        day: [["09:00", "12:30"], ["13:30", "17:30"]] for day in ("mon", "tue", "wed", "thu", "fri")
    }
    hours = ok(await http.post("/api/v1/business-hours", headers=auth, json={
        "name": "Office", "timezone": "Europe/Amsterdam", "weekly": weekly,
        "holidays": ["2026-12-25", "2026-12-26"]}), 201)  # fmt: skip
    policy = {"name": "Standard", "business_hours_id": hours["id"],
              "first_response_minutes": 240, "resolution_minutes": 2400}  # fmt: skip
    ok(await http.post("/api/v1/sla-policies", json=policy, headers=auth), 201)
    ids = []
    for i in range(count):
        body = {"subject": f"Case {i:05d}", "priority": f"P{1 + i % 4}", "channel": "email",
                "account_id": account_ids[i % len(account_ids)]}  # fmt: skip
        ids.append(str(ok(await http.post("/api/v1/cases", json=body, headers=auth), 201)["id"]))
    return ids
