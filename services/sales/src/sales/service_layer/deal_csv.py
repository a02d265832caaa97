"""Deals as CSV: export with account, pipeline and stage names, and an
all-or-nothing import: the account by ``account_external_id`` or
``account_name`` (visible to the caller, unambiguous), ``pipeline`` and ``stage``
by name (empty: the default pipeline, its first open stage), an amount with its
currency. Rows pass the same rules as ``POST /deals`` and are added by the same
code (``deals.add_new_deal``), events included."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from crm_common.access import AccessContext, hidden_fields, require
from crm_common.csv_io import Column, RowError, parse_decimal, parse_import, parse_list, parse_uuid
from crm_common.db import UnitOfWork
from crm_common.errors import CrmError
from crm_common.pagination import Page
from sales.adapters.account_lookup import AccountRef, accounts_by_id
from sales.adapters.account_repository import ACCOUNTS
from sales.adapters.deal_repository import DealDetails, DealFilters, DealRepository
from sales.adapters.orm_deals import DealRow
from sales.domain import deals as rules
from sales.domain.deals import DEALS
from sales.service_layer import csv_import, deal_csv_stages, deals
from sales.service_layer.csv_relations import PendingRow, link_accounts, prepare_all
from sales.service_layer.deal_units import owner_for
from sales.service_layer.deps import SalesDeps

ACCOUNT = ("account_external_id", "account_name")
IMPORT_COLUMNS = (
    Column("name"),
    *(Column(name) for name in ACCOUNT),
    Column("pipeline"),
    Column("stage"),
    Column("amount", parse=parse_decimal),
    Column("currency"),
    Column("probability", parse=csv_import.parse_int),
    Column("close_date", parse=csv_import.parse_date),
    Column("owner_id", parse=parse_uuid),
    Column("lost_reason"),
    Column("tags", parse=parse_list),
)
FIELD_OF = {**dict.fromkeys(ACCOUNT, "account_id"), "pipeline": "pipeline_id", "stage": "stage_id"}
LOOKS_UP = {"account_external_id": (ACCOUNTS, "external_id"), "account_name": (ACCOUNTS, "name")}
DERIVED = {
    "account_name": [(DEALS, "account_id"), (ACCOUNTS, "name")],
    "account_external_id": [(DEALS, "account_id"), (ACCOUNTS, "external_id")],
    "pipeline": [(DEALS, "pipeline_id")],
    "stage": [(DEALS, "stage_id")],
    "currency": [(DEALS, "amount")],  # they travel together
}


@dataclass(frozen=True)
class DealExport:
    deal: deals.VisibleDeal
    account: AccountRef | None  # None: no account, or one the caller may not see
    pipeline_name: str
    stage_name: str
    hidden_columns: list[str]


async def export_deals(
    ctx: AccessContext, deps: SalesDeps, filters: DealFilters
) -> AsyncIterator[DealExport]:
    """Every visible deal matching ``filters`` (as ListDeals), oldest first."""
    require(ctx, DEALS, "export")
    hidden = hidden_fields(ctx, DEALS)
    columns = csv_import.hidden_columns(ctx, DEALS, DERIVED)
    found: dict[uuid.UUID, AccountRef] = {}
    names: dict[uuid.UUID, str] = {}  # pipelines' and stages' names by id

    async def fetch(uow: UnitOfWork, cursor: str | None) -> Page[DealRow]:
        page = await DealRepository(uow.session, ctx).page(
            filters, "", limit=csv_import.EXPORT_BATCH, cursor=cursor
        )
        found.update(await accounts_by_id(uow.session, ctx, [d.account_id for d in page.items]))
        if any(d.stage_id not in names for d in page.items):
            names.update(await deal_csv_stages.names(uow.session, uuid.UUID(ctx.tenant_id)))
        return page

    async for row in csv_import.keyset_batches(deps, fetch):
        account = found.get(row.account_id) if row.account_id else None
        visible = deals.VisibleDeal(row, DealDetails(), hidden)
        yield DealExport(visible, account, names[row.pipeline_id], names[row.stage_id], columns)


def _prepare(ctx: AccessContext, number: int, given: dict[str, Any]) -> PendingRow | list[RowError]:
    """The row as a new deal's values (owner resolved), or its problems."""
    values = {k: v for k, v in given.items() if v is not None and k not in FIELD_OF}
    refs = {name: given.get(name) for name in (*ACCOUNT, "pipeline", "stage")}
    try:
        cleaned = rules.clean_deal(values)
        rules.validate_deal(cleaned, cleaned)
        cleaned["owner_id"] = owner_for(ctx, cleaned.get("owner_id"))
    except CrmError as exc:
        return csv_import.row_errors(number, exc)
    return PendingRow(number, cleaned, refs)


async def import_deals(data: bytes, ctx: AccessContext, deps: SalesDeps) -> list[uuid.UUID]:
    require(ctx, DEALS, "import")
    parsed = parse_import(data, IMPORT_COLUMNS, max_rows=csv_import.MAX_IMPORT_ROWS)
    errors = [
        *parsed.errors,
        *csv_import.blocked_columns(ctx, DEALS, parsed.rows, FIELD_OF),
        *csv_import.hidden_lookups(ctx, parsed.rows, LOOKS_UP),
    ]
    pending, row_problems = prepare_all(parsed, lambda n, given: _prepare(ctx, n, given))
    errors += row_problems
    async with deps.uow() as uow:
        errors += await link_accounts(uow, ctx, pending)
        stages = await deal_csv_stages.StageFinder.load(uow.session, uuid.UUID(ctx.tenant_id))
        errors += await stages.place(pending)
        csv_import.raise_if_any(errors, len(parsed.rows))
        created = [_add(uow, ctx, row) for row in pending]
        await uow.commit()
    return [deal.id for deal in created]


def _add(uow: UnitOfWork, ctx: AccessContext, row: PendingRow) -> DealRow:
    values = dict(row.values)
    owner_id = values.pop("owner_id")
    return deals.add_new_deal(uow, ctx, values, owner_id, row.stage)
