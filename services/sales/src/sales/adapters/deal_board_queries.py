"""The two queries behind a kanban board: totals per stage and currency, and the
first cards of every column (one window-function query, not one per stage)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from sales.adapters.orm_deals import DealRow


@dataclass(frozen=True)
class StageTotal:
    stage_id: uuid.UUID
    currency: str
    count: int
    amount: Decimal | None  # None: no deal of this group has an amount
    amount_times_probability: Decimal | None


async def totals(
    session: AsyncSession, conditions: Sequence[sa.ColumnElement[bool]]
) -> list[StageTotal]:
    stmt = (
        sa.select(
            DealRow.stage_id,
            DealRow.currency,
            sa.func.count(),
            sa.func.sum(DealRow.amount),
            sa.func.sum(DealRow.amount * DealRow.probability),
        )
        .where(*conditions)
        .group_by(DealRow.stage_id, DealRow.currency)
        .order_by(DealRow.stage_id, DealRow.currency)
    )
    return [StageTotal(*row) for row in await session.execute(stmt)]


async def first_cards(
    session: AsyncSession, conditions: Sequence[sa.ColumnElement[bool]], per_column: int
) -> list[DealRow]:
    """Up to ``per_column + 1`` oldest deals of each stage (the extra one tells
    whether the column has a next page)."""
    rank = sa.func.row_number().over(
        partition_by=DealRow.stage_id, order_by=(DealRow.created_at, DealRow.id)
    )
    ranked = sa.select(DealRow.id, rank.label("rank")).where(*conditions).subquery()
    stmt = (
        sa.select(DealRow)
        .join(ranked, ranked.c.id == DealRow.id)
        .where(ranked.c.rank <= per_column + 1)
        .order_by(DealRow.stage_id, DealRow.created_at, DealRow.id)
    )
    return list((await session.scalars(stmt)).all())
