"""What every sales CSV import and export shares (leads, accounts, contacts, deals).

Imports are all or nothing: every row is judged first, each problem becomes one
violation ``row N: <column>`` (spreadsheet numbering, the header is row 1), and
only a file without a single problem is written, in one transaction. A column the
caller may not write, or a relation column that would look records up by a field
hidden from the caller, is refused for the whole file (on the header row).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from crm_common.access import AccessContext, hidden_fields, read_only_fields
from crm_common.csv_io import FILE_ROW, HEADER_ROW, RowError
from crm_common.db import UnitOfWork
from crm_common.errors import CrmError, FieldViolation, InvalidArgument
from crm_common.pagination import Page
from sales.service_layer.deps import SalesDeps

EXPORT_BATCH = 200  # the largest page paginate() serves
MAX_IMPORT_ROWS = 5000
MAX_REPORTED_ERRORS = 100

T = TypeVar("T")


def parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("must be a whole number") from None


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("must be a date like 2026-12-31") from None


def label(error: RowError) -> str:
    if error.row_number == FILE_ROW:
        return "file"
    return f"row {error.row_number}: {error.field}" if error.field else f"row {error.row_number}"


def row_errors(
    row_number: int, exc: CrmError, columns: Mapping[str, str] | None = None
) -> list[RowError]:
    """The problems of one row; ``columns`` renames a record field to the CSV
    column that carried it (``account_id`` -> ``account_name``)."""
    rename = columns or {}
    if isinstance(exc, InvalidArgument) and exc.violations:
        return [
            RowError(row_number, rename.get(v.field, v.field), v.message) for v in exc.violations
        ]
    field = getattr(exc, "field", None) or ""
    return [RowError(row_number, rename.get(field, field), exc.message)]


def blocked_columns(
    ctx: AccessContext,
    module: str,
    rows: list[dict[str, Any]],
    field_of: Mapping[str, str] | None = None,
) -> list[RowError]:
    """Columns that would write a field the caller may not write (``field_of``
    names the field of a column that differs from it, like billing_city)."""
    blocked = read_only_fields(ctx, module)
    return [
        RowError(HEADER_ROW, column, "is read-only for you")
        for column in sorted(set(rows[0]) if rows else ())
        if (field_of or {}).get(column, column) in blocked
    ]


def hidden_lookups(
    ctx: AccessContext, rows: list[dict[str, Any]], looks_up: Mapping[str, tuple[str, str]]
) -> list[RowError]:
    """Relation columns (``account_external_id`` -> accounts.external_id) that would
    find records by a field hidden from the caller."""
    present = set(rows[0]) if rows else set()
    return [
        RowError(HEADER_ROW, column, f"looks up {module}.{field}, which is hidden from you")
        for column, (module, field) in sorted(looks_up.items())
        if column in present and field in hidden_fields(ctx, module)
    ]


def raise_if_any(errors: Iterable[RowError], rows: int) -> None:
    """INVALID_ARGUMENT with one violation per problem (the first hundred), in row
    order; a file without data rows is a problem too."""
    found = sorted(errors, key=lambda e: e.row_number)
    if not found and not rows:
        found = [RowError(FILE_ROW, "", "the file has no data rows")]
    if found:
        shown = [FieldViolation(label(e), e.message) for e in found[:MAX_REPORTED_ERRORS]]
        raise InvalidArgument(f"{len(found)} problem(s) in the file; nothing was imported", shown)


def hidden_columns(
    ctx: AccessContext, module: str, derived: Mapping[str, Iterable[tuple[str, str]]]
) -> list[str]:
    """Export columns to leave out: the record's hidden fields, and every column
    ``derived`` from a (module, field) hidden from the caller (a flattened address,
    a related account's name)."""
    columns = set(hidden_fields(ctx, module))
    for column, sources in derived.items():
        if any(field in hidden_fields(ctx, mod) for mod, field in sources):
            columns.add(column)
    return sorted(columns)


async def keyset_batches(
    deps: SalesDeps, fetch: Callable[[UnitOfWork, str | None], Awaitable[Page[T]]]
) -> AsyncIterator[T]:
    """Every item of a keyset-paged query, one short transaction per page, so an
    export of 100,000 records holds no transaction (or memory) for long."""
    cursor: str | None = None
    while True:
        async with deps.uow() as uow:
            page = await fetch(uow, cursor)
        for item in page.items:
            yield item
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
