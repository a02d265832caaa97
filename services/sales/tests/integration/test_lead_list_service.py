"""The lead list's filters and sort orders against real PostgreSQL: keyset pages
in every order, date and source filters, and cursors that only continue the
order they came from."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from crm_common.access import AccessContext
from crm_common.errors import InvalidArgument
from sales.adapters.repository import LeadFilters
from sales.domain.commands import CreateLead
from sales.service_layer import leads
from sales.service_layer.deps import SalesDeps


def _rep() -> AccessContext:
    user = str(uuid.uuid4())
    return AccessContext(
        tenant_id=str(uuid.uuid4()),
        user_id=user,
        permissions={"leads": frozenset({"view", "create"})},
        own_ids=frozenset({user}),
    )


async def _seed(deps: SalesDeps, ctx: AccessContext) -> None:
    for name, score, source in [
        ("Curie", 70, "web"),
        ("Bohr", 20, "event"),
        ("Ampere", 90, "web"),
        ("Dirac", 40, "web"),
        ("Euler", 55, "referral"),
    ]:
        cmd = CreateLead(values={"last_name": name, "score": score, "source": source})
        await leads.create_lead(cmd, ctx, deps)


async def _all_pages(deps: SalesDeps, ctx: AccessContext, filters: LeadFilters) -> list[str]:
    names, cursor = [], None
    for _ in range(10):  # bounded: 5 leads, 2 a page
        page = await leads.list_leads(ctx, deps, filters, limit=2, cursor=cursor)
        names += [item.row.last_name for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return names
    raise AssertionError("paging did not end")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("created_at", ["Curie", "Bohr", "Ampere", "Dirac", "Euler"]),
        ("-created_at", ["Euler", "Dirac", "Ampere", "Bohr", "Curie"]),
        ("-score", ["Ampere", "Curie", "Euler", "Dirac", "Bohr"]),
        ("score", ["Bohr", "Dirac", "Euler", "Curie", "Ampere"]),
        ("last_name", ["Ampere", "Bohr", "Curie", "Dirac", "Euler"]),
        ("-last_name", ["Euler", "Dirac", "Curie", "Bohr", "Ampere"]),
    ],
)
async def test_every_sort_pages_in_order(deps: SalesDeps, sort: str, expected: list[str]) -> None:
    rep = _rep()
    await _seed(deps, rep)
    assert await _all_pages(deps, rep, LeadFilters(sort=sort)) == expected


async def test_filters_by_source_and_creation_time(deps: SalesDeps) -> None:
    rep = _rep()
    before = datetime.now(UTC) - timedelta(seconds=1)
    await _seed(deps, rep)
    after = datetime.now(UTC) + timedelta(seconds=1)
    web = await _all_pages(deps, rep, LeadFilters(source="web", sort="last_name"))
    assert web == ["Ampere", "Curie", "Dirac"]
    assert len(await _all_pages(deps, rep, LeadFilters(created_after=before))) == 5
    assert await _all_pages(deps, rep, LeadFilters(created_after=after)) == []
    assert await _all_pages(deps, rep, LeadFilters(created_before=before)) == []


async def test_a_cursor_only_continues_its_own_sort(deps: SalesDeps) -> None:
    rep = _rep()
    await _seed(deps, rep)
    page = await leads.list_leads(rep, deps, LeadFilters(sort="-score"), limit=2, cursor=None)
    assert page.next_cursor is not None
    for other in ("score", "created_at", "last_name"):
        with pytest.raises(InvalidArgument) as caught:
            await leads.list_leads(
                rep, deps, LeadFilters(sort=other), limit=2, cursor=page.next_cursor
            )
        assert caught.value.violations[0].field == "cursor"
    with pytest.raises(InvalidArgument):
        await leads.list_leads(rep, deps, LeadFilters(sort="-score"), limit=2, cursor="-score~%%")
