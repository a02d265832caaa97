"""Leads as CSV: export (streamed, a keyset page at a time) and all-or-nothing import.

Import validates every row first, with the same rules as a create, and reports
every problem as ``row N: <column>`` (spreadsheet row numbers, header = row 1);
only a file without a single error is written, in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from crm_common.access import AccessContext, hidden_fields, read_only_fields, require
from crm_common.csv_io import FILE_ROW, Column, RowError, parse_import, parse_list, parse_uuid
from crm_common.errors import CrmError, FieldViolation, InvalidArgument
from sales.adapters.orm import LeadRow
from sales.adapters.repository import MODULE, LeadFilters, LeadRepository
from sales.domain import events, model, rules
from sales.metrics import LEADS_CREATED
from sales.service_layer import leads
from sales.service_layer.deps import SalesDeps

EXPORT_BATCH = 200  # the largest page paginate() serves
MAX_IMPORT_ROWS = 5000
MAX_REPORTED_ERRORS = 100


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
    cursor: str | None = None
    while True:
        async with deps.uow() as uow:
            page = await LeadRepository(uow.session, ctx).page(
                filters, limit=EXPORT_BATCH, cursor=cursor
            )
        for row in page.items:
            yield leads.VisibleLead(row, [], hidden)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _field(error: RowError) -> str:
    if error.row_number == FILE_ROW:
        return "file"
    return f"row {error.row_number}: {error.field}" if error.field else f"row {error.row_number}"


def _violations(row_number: int, exc: CrmError) -> list[RowError]:
    if isinstance(exc, InvalidArgument) and exc.violations:
        return [RowError(row_number, v.field, v.message) for v in exc.violations]
    return [RowError(row_number, getattr(exc, "field", None) or "", exc.message)]


def _prepare(
    ctx: AccessContext, number: int, given: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[RowError]]:
    """The row as a new lead's values (owner and status resolved), or its errors."""
    values = {k: v for k, v in given.items() if v is not None and k != "status"}
    try:
        cleaned = rules.clean({**rules.NEW_LEAD_DEFAULTS, **values})
        rules.validate_new(cleaned)
    except InvalidArgument as exc:
        return None, _violations(number, exc)
    try:
        cleaned["status"] = model.check_initial_status(given.get("status") or "")
        cleaned["owner_id"] = leads.new_owner(ctx, cleaned.get("owner_id"))
    except CrmError as exc:
        return None, _violations(number, exc)
    return cleaned, []


def _blocked_columns(ctx: AccessContext, rows: list[dict[str, Any]]) -> list[RowError]:
    """A column the caller may not write is refused for the whole file (header row)."""
    present = set(rows[0]) if rows else set()
    return [
        RowError(1, name, "is read-only for you")
        for name in sorted(present & read_only_fields(ctx, MODULE))
    ]


async def import_leads(data: bytes, ctx: AccessContext, deps: SalesDeps) -> list[uuid.UUID]:
    require(ctx, MODULE, "import")
    parsed = parse_import(data, IMPORT_COLUMNS, max_rows=MAX_IMPORT_ROWS)
    errors = list(parsed.errors) + _blocked_columns(ctx, parsed.rows)
    prepared: list[dict[str, Any]] = []
    for number, given in zip(parsed.row_numbers, parsed.rows, strict=True):
        values, row_errors = _prepare(ctx, number, given)
        errors += row_errors
        if values is not None:
            prepared.append(values)
    if not errors and not prepared:
        errors.append(RowError(FILE_ROW, "", "the file has no data rows"))
    if errors:
        errors.sort(key=lambda e: e.row_number)
        shown = [FieldViolation(_field(e), e.message) for e in errors[:MAX_REPORTED_ERRORS]]
        raise InvalidArgument(f"{len(errors)} problem(s) in the file; nothing was imported", shown)
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
