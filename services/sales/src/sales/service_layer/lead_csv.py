"""Leads as CSV: export (streamed, a keyset page at a time) and all-or-nothing import.

Import validates every row first, with the same rules as a create, and reports
every problem as ``row N: <column>`` (``csv_import``: what every sales import
shares); only a file without a single error is written, in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from crm_common.access import AccessContext, hidden_fields, require
from crm_common.csv_io import Column, RowError, parse_import, parse_list, parse_uuid
from crm_common.db import UnitOfWork
from crm_common.errors import CrmError, InvalidArgument
from crm_common.pagination import Page
from sales.adapters.orm import LeadRow
from sales.adapters.repository import MODULE, LeadFilters, LeadRepository
from sales.domain import events, model, rules
from sales.metrics import LEADS_CREATED
from sales.service_layer import leads
from sales.service_layer.csv_import import (
    EXPORT_BATCH,
    MAX_IMPORT_ROWS,
    blocked_columns,
    keyset_batches,
    raise_if_any,
    row_errors,
)
from sales.service_layer.deps import SalesDeps

__all__ = ["MAX_IMPORT_ROWS", "export_leads", "import_leads"]


def _score(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("must be a whole number") from None


IMPORT_COLUMNS = (
    *(Column(name) for name in rules.MAX_LENGTHS),
    Column("status"),
    Column("score", parse=_score),
    Column("owner_id", parse=parse_uuid),
    Column("tags", parse=parse_list),
)


async def export_leads(
    ctx: AccessContext, deps: SalesDeps, filters: LeadFilters
) -> AsyncIterator[leads.VisibleLead]:
    """Every visible lead matching ``filters`` (as ListLeads), oldest first."""
    require(ctx, MODULE, "export")
    if filters.status:
        model.check_status_name(filters.status)
    hidden = hidden_fields(ctx, MODULE)

    async def fetch(uow: UnitOfWork, cursor: str | None) -> Page[LeadRow]:
        return await LeadRepository(uow.session, ctx).page(
            filters, limit=EXPORT_BATCH, cursor=cursor
        )

    async for row in keyset_batches(deps, fetch):
        yield leads.VisibleLead(row, [], hidden)


def _prepare(
    ctx: AccessContext, number: int, given: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[RowError]]:
    """The row as a new lead's values (owner and status resolved), or its errors."""
    values = {k: v for k, v in given.items() if v is not None and k != "status"}
    try:
        cleaned = rules.clean({**rules.NEW_LEAD_DEFAULTS, **values})
        rules.validate_new(cleaned)
    except InvalidArgument as exc:
        return None, row_errors(number, exc)
    try:
        cleaned["status"] = model.check_initial_status(given.get("status") or "")
        cleaned["owner_id"] = leads.new_owner(ctx, cleaned.get("owner_id"))
    except CrmError as exc:
        return None, row_errors(number, exc)
    return cleaned, []


async def import_leads(data: bytes, ctx: AccessContext, deps: SalesDeps) -> list[uuid.UUID]:
    require(ctx, MODULE, "import")
    parsed = parse_import(data, IMPORT_COLUMNS, max_rows=MAX_IMPORT_ROWS)
    errors = list(parsed.errors) + blocked_columns(ctx, MODULE, parsed.rows)
    prepared: list[dict[str, Any]] = []
    for number, given in zip(parsed.row_numbers, parsed.rows, strict=True):
        values, row_errors = _prepare(ctx, number, given)
        errors += row_errors
        if values is not None:
            prepared.append(values)
    raise_if_any(errors, len(prepared))
    return await _create_all(prepared, ctx, deps)


async def _create_all(
    prepared: list[dict[str, Any]], ctx: AccessContext, deps: SalesDeps
) -> list[uuid.UUID]:
    actor = uuid.UUID(ctx.user_id) if ctx.user_id else None
    async with deps.uow() as uow:
        tenant_id = uuid.UUID(ctx.tenant_id)
        created: list[LeadRow] = []
        for values in prepared:
            status, owner_id = values.pop("status"), values.pop("owner_id")
            lead = LeadRow(id=uuid.uuid4(), tenant_id=tenant_id, owner_id=owner_id, status=status)
            for name, value in values.items():
                setattr(lead, name, value)
            lead.company_key = rules.normalize_company(lead.company or "")
            lead.created_by = lead.updated_by = actor
            uow.session.add(lead)
            uow.session.add(leads.first_history(lead, ctx))
            uow.record(leads.lead_event(events.LEAD_CREATED, lead, ctx))
            created.append(lead)
        await uow.commit()
    LEADS_CREATED.inc(len(created))
    return [lead.id for lead in created]
