"""Queries of assignment rules (always within one tenant) and the locks that make
round-robin and least-loaded assignment fair under concurrent lead creates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from sales.adapters.orm import LeadRow
from sales.adapters.orm_assignment import AssignmentRuleRow, RuleCursorRow
from sales.domain.model import CLOSED_STATUSES


class AssignmentRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _live(self) -> list[sa.ColumnElement[bool]]:
        return [AssignmentRuleRow.tenant_id == self.tenant_id, active(AssignmentRuleRow)]

    async def get(self, rule_id: uuid.UUID, *, for_update: bool = False) -> AssignmentRuleRow:
        stmt = sa.select(AssignmentRuleRow).where(AssignmentRuleRow.id == rule_id, *self._live())
        if for_update:
            stmt = stmt.with_for_update()
        rule = await self.session.scalar(stmt)
        if rule is None:
            raise NotFound("assignment rule not found")
        return rule

    async def page(self, *, limit: int, cursor: str | None) -> Page[AssignmentRuleRow]:
        stmt = sa.select(AssignmentRuleRow).where(*self._live())
        order = (AssignmentRuleRow.position, AssignmentRuleRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def active_rules(self) -> list[AssignmentRuleRow]:
        """In evaluation order: position, then id."""
        stmt = (
            sa.select(AssignmentRuleRow)
            .where(*self._live(), AssignmentRuleRow.active.is_(True))
            .order_by(AssignmentRuleRow.position, AssignmentRuleRow.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def delete(self, rule: AssignmentRuleRow) -> None:
        await self.session.delete(rule)  # its cursor goes with it (ON DELETE CASCADE)

    async def lock_cursor(self, rule_id: uuid.UUID) -> RuleCursorRow:
        """The rule's round-robin cursor, created on first use and locked until the
        transaction ends: assignments by one rule take turns."""
        await self.session.execute(
            insert(RuleCursorRow)
            .values(rule_id=rule_id, tenant_id=self.tenant_id)
            .on_conflict_do_nothing(index_elements=["rule_id"])
        )
        stmt = (
            sa.select(RuleCursorRow)
            .where(RuleCursorRow.rule_id == rule_id, RuleCursorRow.tenant_id == self.tenant_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).one()

    async def lock_rule(self, rule_id: uuid.UUID) -> None:
        """Least-loaded assignments by one rule take turns (transaction-scoped lock),
        so each one counts the leads the previous one gave."""
        await self.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"sales:assignment-rule:{rule_id}"},
        )

    async def open_leads(self, owners: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Live leads not converted or lost, per owner."""
        stmt = (
            sa.select(LeadRow.owner_id, sa.func.count())
            .where(
                LeadRow.tenant_id == self.tenant_id,
                LeadRow.owner_id.in_(list(owners)),
                active(LeadRow),
                LeadRow.status.not_in(CLOSED_STATUSES),
            )
            .group_by(LeadRow.owner_id)
        )
        return {owner: count for owner, count in (await self.session.execute(stmt)).all()}
