"""Rows in the cases area's ``cases`` table, inserted directly (knowledge and
insights tests): the columns a test names, plus a filler for every other
column its current migration requires, so the helper follows that table as it
grows without importing the cases area's ORM."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from support.service_layer.deps import SupportDeps

FILLERS: dict[str, Any] = {
    "uuid": uuid.uuid4,
    "timestamp with time zone": lambda: datetime.now(UTC),
    "boolean": lambda: False,
    "integer": lambda: 0,
    "bigint": lambda: 0,
    "text": lambda: "",
    "character varying": lambda: "x",
    "jsonb": lambda: {},
    "numeric": lambda: 0,
    "date": lambda: datetime.now(UTC).date(),
}
TYPES: dict[str, Any] = {
    "uuid": sa.Uuid(),
    "timestamp with time zone": sa.DateTime(timezone=True),
    "jsonb": JSONB(),
    "boolean": sa.Boolean(),
    "integer": sa.Integer(),
}
DEFAULTS: dict[str, Any] = {
    "subject": "Printer on fire",
    "status": "open",
    "priority": "P3",
    "channel": "email",
    "sla_status": "on_track",
}


async def cases_table_exists(deps: SupportDeps) -> bool:
    async with deps.uow() as uow:
        found = await uow.session.scalar(sa.text("SELECT to_regclass('cases') IS NOT NULL"))
    return bool(found)


async def insert_cases(deps: SupportDeps, rows: list[dict[str, Any]]) -> list[uuid.UUID]:
    """Insert ``rows`` (each needs ``tenant_id``); returns their ids."""
    async with deps.uow() as uow:
        columns = (
            await uow.session.execute(
                sa.text(
                    "SELECT column_name, data_type, "
                    "is_nullable = 'NO' AND column_default IS NULL AND is_generated = 'NEVER' "
                    "FROM information_schema.columns "
                    "WHERE table_name = 'cases' AND table_schema = current_schema()"
                )
            )
        ).all()
        types = {name: TYPES.get(data_type) for name, data_type, _ in columns}
        ids = []
        for given in rows:
            now = datetime.now(UTC)
            values: dict[str, Any] = {
                **DEFAULTS,
                "id": uuid.uuid4(),
                "number": f"CS-2026-{uuid.uuid4().int % 10**9:09d}",
                "created_at": now,
                "reported_at": given.get("created_at", now),
                **given,
            }
            for name, data_type, required in columns:
                if required and name not in values:
                    values[name] = FILLERS.get(data_type, lambda: "x")()
            values = {k: v for k, v in values.items() if k in types}
            table = sa.table("cases", *(sa.column(n, types[n]) for n in values))
            await uow.session.execute(sa.insert(table).values(**values))
            ids.append(values["id"])
        await uow.commit()
    return ids
