"""Keyset (cursor) pagination: stable under inserts, O(limit) per page.

A cursor is the sort key of the last item of a page, base64url-encoded JSON;
clients treat it as opaque. Pages are ordered by (created_at, id) by default,
which every tenant-scoped table has.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import InvalidArgument

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def clamp_limit(limit: int) -> int:
    if limit < 0 or limit > MAX_LIMIT:
        raise InvalidArgument.for_field("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit or DEFAULT_LIMIT


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and "t" in value:
        return datetime.fromisoformat(value["t"])
    if isinstance(value, dict) and "u" in value:
        return uuid.UUID(value["u"])
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_to_json(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != width:
            raise ValueError("wrong width")
        return tuple(_from_json(v) for v in values)
    except (ValueError, TypeError) as exc:
        raise InvalidArgument.for_field("cursor", "is not a valid cursor") from exc


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    order_by: Sequence[Any],
    *,
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> Page[Any]:
    """Run ``stmt`` (selecting one entity) one page at a time, ordered by ``order_by``
    (columns whose combination is unique, e.g. ``(Model.created_at, Model.id)``)."""
    limit = clamp_limit(limit)
    key = tuple_(*order_by)
    if cursor:
        after = decode_cursor(cursor, len(order_by))
        stmt = stmt.where(key < tuple_(*after) if descending else key > tuple_(*after))
    ordering = [c.desc() if descending else c.asc() for c in order_by]
    rows = list((await session.scalars(stmt.order_by(*ordering).limit(limit + 1))).all())
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    return Page(rows[:limit], encode_cursor([getattr(last, c.key) for c in order_by]))
