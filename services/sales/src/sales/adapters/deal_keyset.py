"""Keyset pages of deals in any of the list's sort orders.

``crm_common.pagination`` pages by plain columns; deals also sort by amount and
close date, which may be NULL, so each sort key is an expression (NULL mapped to
an end of the range) plus the deal's id as the tie-breaker. The cursor names its
sort, so a cursor of one order cannot be replayed against another.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import InvalidArgument
from crm_common.pagination import Page, clamp_limit
from sales.adapters.orm_deals import DealRow

NO_AMOUNT = Decimal(-1)  # sorts deals without an amount below every amount
NO_DATE = date(9999, 12, 31)  # deals without a close date come last ascending


@dataclass(frozen=True)
class SortKey:
    name: str
    expression: Any  # a column or an SQL expression
    value: Callable[[DealRow], Any]
    parse: Callable[[str], Any]
    descending: bool = False


# name -> (SQL expression, the row's value of it, parse from the cursor)
_KEYS: dict[str, tuple[Any, Callable[[DealRow], Any], Callable[[str], Any]]] = {
    "created_at": (DealRow.created_at, lambda d: d.created_at, datetime.fromisoformat),
    "amount": (
        sa.func.coalesce(DealRow.amount, NO_AMOUNT),
        lambda d: NO_AMOUNT if d.amount is None else d.amount,
        Decimal,
    ),
    "close_date": (
        sa.func.coalesce(DealRow.close_date, NO_DATE),
        lambda d: d.close_date or NO_DATE,
        date.fromisoformat,
    ),
    "name": (DealRow.name, lambda d: d.name, str),
}
SORTS = tuple(_KEYS)


def sort_key(sort: str) -> SortKey:
    """``created_at`` (default), ``amount``, ``close_date`` or ``name``; ``-`` descends."""
    name = (sort or "created_at").removeprefix("-")
    if name not in _KEYS:
        raise InvalidArgument.for_field("sort", f"one of {', '.join(SORTS)}, '-' to descend")
    expression, value, parse = _KEYS[name]
    return SortKey(sort or name, expression, value, parse, sort.startswith("-"))


def _encode(key: SortKey, row: DealRow) -> str:
    value = key.value(row)
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    raw = json.dumps([key.name, text, str(row.id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(key: SortKey, cursor: str) -> tuple[Any, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
        name, text, deal_id = json.loads(raw)
        if name != key.name:
            raise ValueError("the cursor belongs to another sort")
        return key.parse(text), uuid.UUID(deal_id)
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise InvalidArgument.for_field("cursor", "is not a valid cursor") from exc


async def keyset_page(
    session: AsyncSession, stmt: sa.Select[Any], key: SortKey, *, limit: int, cursor: str | None
) -> Page[DealRow]:
    limit = clamp_limit(limit)
    columns = (key.expression, DealRow.id)
    if cursor:
        value, deal_id = _decode(key, cursor)
        after = sa.tuple_(sa.literal(value, key.expression.type), sa.literal(deal_id, sa.Uuid()))
        position = sa.tuple_(*columns)
        stmt = stmt.where(position < after if key.descending else position > after)
    ordering = [c.desc() if key.descending else c.asc() for c in columns]
    rows = list((await session.scalars(stmt.order_by(*ordering).limit(limit + 1))).all())
    if len(rows) <= limit:
        return Page(rows, None)
    return Page(rows[:limit], _encode(key, rows[limit - 1]))


def cursor_after(row: DealRow) -> str:
    """The default-order (created_at) cursor after ``row``: a board column's next page."""
    return _encode(sort_key(""), row)
