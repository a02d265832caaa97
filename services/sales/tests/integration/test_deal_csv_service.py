"""Deals CSV against real PostgreSQL: the account by name or external id,
pipeline and stage by name (defaults when empty), money and stage rules per row,
all or nothing, events as for POST /deals, and the export's names."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import InvalidArgument, PermissionDenied
from crm_common.events.tables import OutboxMessage
from sales.adapters.deal_repository import DealFilters
from sales.adapters.orm_deals import DealRow
from sales.domain.commands import CreateRecord
from sales.domain.deal_commands import CreatePipeline
from sales.domain.deals import StageSpec
from sales.service_layer import accounts, deal_csv, pipelines
from sales.service_layer.deps import SalesDeps

MODULES = ("accounts", "deals")
ALL = frozenset({"view", "create", "edit", "delete", "export", "import"})


class Team:
    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.ids = {who: str(uuid.uuid4()) for who in ("admin", "manager", "peer")}

    def ctx(self, who: str, *, fields: dict | None = None) -> AccessContext:
        return AccessContext(
            tenant_id=self.tenant,
            user_id=self.ids[who],
            all_records=who == "admin",
            permissions={m: ALL for m in MODULES},
            fields={"deals": fields or {}},
            defaults={m: "private" for m in MODULES},
            own_ids=frozenset({self.ids[who]}),
        )


async def _account(
    deps: SalesDeps, ctx: AccessContext, name: str, external_id: str = ""
) -> uuid.UUID:
    values = {"name": name, **({"external_id": external_id} if external_id else {})}
    return (await accounts.create_account(CreateRecord(values), ctx, deps)).row.id


async def _deals(deps: SalesDeps, team: Team) -> dict[str, DealRow]:
    async with deps.uow() as uow:
        stmt = sa.select(DealRow).where(DealRow.tenant_id == uuid.UUID(team.tenant))
        return {row.name: row for row in await uow.session.scalars(stmt)}


async def test_deals_link_accounts_pipelines_and_stages_by_name(deps: SalesDeps) -> None:
    team = Team()
    admin, manager = team.ctx("admin"), team.ctx("manager")
    renewals = await pipelines.create_pipeline(
        CreatePipeline(
            "Renewals",
            [
                StageSpec("Due", 50),
                StageSpec("Renewed", 100, "won"),
                StageSpec("Churned", 0, "lost"),
            ],
        ),
        admin,
        deps,
    )
    acme = await _account(deps, manager, "Acme", "ERP-1")
    data = (
        "name,account_name,account_external_id,pipeline,stage,amount,currency,close_date,tags,lost_reason\n"
        "New biz,acme,,,,1200.50,eur,2026-12-31,q4,\n"
        "Renewal,,ERP-1,renewals,renewed,99,USD,,,\n"
        "Lost one,,,,closed lost,,,,,budget\n"
    )
    ids = await deal_csv.import_deals(data.encode(), manager, deps)
    rows = await _deals(deps, team)
    assert ids == [rows[n].id for n in ("New biz", "Renewal", "Lost one")]
    new = rows["New biz"]
    assert (new.account_id, new.amount, new.currency, str(new.close_date)) == (
        acme,
        Decimal("1200.50"),
        "EUR",
        "2026-12-31",
    )
    assert (new.status, new.probability, new.tags) == ("open", 10, ["q4"])  # first open stage
    renewal = rows["Renewal"]
    assert renewal.pipeline_id == renewals.row.id and renewal.status == "won"
    assert renewal.account_id == acme and renewal.closed_at is not None
    assert (rows["Lost one"].status, rows["Lost one"].lost_reason) == ("lost", "budget")
    assert rows["Lost one"].account_id is None and rows["Lost one"].amount is None
    async with deps.uow() as uow:
        subjects = list(
            await uow.session.scalars(
                sa.select(OutboxMessage.subject).where(
                    OutboxMessage.tenant_id == team.tenant,
                    OutboxMessage.subject.like("crm.sales.deal.%"),
                )
            )
        )
    assert sorted(subjects) == sorted(
        ["crm.sales.deal.created"] * 3 + ["crm.sales.deal.won", "crm.sales.deal.lost"]
    )

    exported = {
        r.deal.row.name: r async for r in deal_csv.export_deals(manager, deps, DealFilters())
    }
    assert (exported["Renewal"].pipeline_name, exported["Renewal"].stage_name) == (
        "Renewals",
        "Renewed",
    )
    assert exported["Renewal"].account is not None
    assert exported["Renewal"].account.name == "Acme"
    assert exported["New biz"].stage_name == "Prospecting"
    assert exported["Lost one"].account is None
    hidden = team.ctx("manager", fields={"amount": "hidden", "stage_id": "read_only"})
    one = [r async for r in deal_csv.export_deals(hidden, deps, DealFilters(tag="q4"))]
    assert [r.deal.row.name for r in one] == ["New biz"]
    assert one[0].hidden_columns == ["amount", "currency"]


async def test_bad_rows_are_named_and_nothing_is_created(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    for _ in range(2):
        await _account(deps, manager, "Twin")
    await _account(deps, team.ctx("peer"), "Peer's", "P-1")
    data = (
        "name,account_name,account_external_id,pipeline,stage,amount,currency,probability,close_date,owner_id\n"
        "Fine,,,,,10,EUR,,,\n"
        "Amb,twin,,,,,,,,\n"
        "Unseen,,P-1,,,,,,,\n"
        "NoPipe,,,Nope,,,,,,\n"
        "NoStage,,,,Nope,,,,,\n"
        "Money,,,,,12.345,EUR,,,\n"
        "NoCurrency,,,,,12,,,,\n"
        "Lost,,,,Closed lost,,,,,\n"
        "Won,,,,Closed won,,,50,,\n"
        ",,,,,,,,,\n"
        "Dates,,,,,,,,31/12/2026,\n"
        f"Owner,,,,,,,,,{team.ids['peer']}\n"
    )
    with pytest.raises(InvalidArgument) as caught:
        await deal_csv.import_deals(data.encode(), manager, deps)
    assert [v.field for v in caught.value.violations] == [
        "row 3: account_name",
        "row 4: account_external_id",
        "row 5: pipeline",
        "row 6: stage",
        "row 7: amount",
        "row 8: currency",
        "row 9: lost_reason",
        "row 10: probability",
        "row 12: close_date",
        "row 13: owner_id",
    ]
    assert await _deals(deps, team) == {}

    read_only = team.ctx("manager", fields={"stage_id": "read_only"})
    with pytest.raises(InvalidArgument) as caught:
        await deal_csv.import_deals(b"name,stage\nX,Proposal\n", read_only, deps)
    assert [v.field for v in caught.value.violations] == ["row 1: stage"]
    no_import = AccessContext(
        tenant_id=team.tenant,
        user_id=team.ids["peer"],
        permissions={"deals": frozenset({"create"})},
    )
    with pytest.raises(PermissionDenied):
        await deal_csv.import_deals(b"name\nX\n", no_import, deps)
