"""Who gets a lead created without an owner: the first active assignment rule
whose conditions hold and whose target can take it (an empty group or a user who
is not active is skipped); no such rule -> the caller, as without rules.

Planning (rules, identity lookups) happens before the lead's transaction;
choosing happens inside it, under the rule's lock, so concurrent creates take
turns: round robin hands out leads strictly in turn, least loaded counts the
leads the previous assignment gave.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext
from sales.adapters.assignment_repository import AssignmentRepository
from sales.adapters.orm_assignment import AssignmentRuleRow
from sales.domain import assignment as rules
from sales.service_layer.deps import GroupDirectory, SalesDeps


@dataclass(frozen=True)
class Assignment:
    rule_id: uuid.UUID
    tenant_id: uuid.UUID
    kind: str  # user | round_robin | least_loaded
    users: list[uuid.UUID]  # the candidates, sorted; never empty


async def plan_owner(
    lead: Mapping[str, Any], ctx: AccessContext, deps: SalesDeps
) -> Assignment | None:
    """The rule that decides the owner of the new lead (``lead``: its values)."""
    if deps.groups is None:
        return None
    tenant_id = uuid.UUID(ctx.tenant_id)
    async with deps.uow() as uow:
        candidates = await AssignmentRepository(uow.session, tenant_id).active_rules()
    directory = _Directory(deps.groups)
    for rule in candidates:
        if not rules.matches(conditions_of(rule), lead):
            continue
        users = await directory.candidates(rule)
        if users:
            return Assignment(rule.id, tenant_id, rule.target_type, users)
    return None


async def choose_owner(session: AsyncSession, plan: Assignment) -> uuid.UUID:
    """Inside the lead's transaction: the owner, and the rule's turn taken."""
    repo = AssignmentRepository(session, plan.tenant_id)
    if plan.kind == "round_robin":
        cursor = await repo.lock_cursor(plan.rule_id)
        cursor.last_user_id = rules.next_in_turn(plan.users, cursor.last_user_id)
        await session.flush()
        return cursor.last_user_id
    if plan.kind == "least_loaded":
        await repo.lock_rule(plan.rule_id)
        return rules.least_loaded(plan.users, await repo.open_leads(plan.users))
    return plan.users[0]


def conditions_of(rule: AssignmentRuleRow) -> list[rules.Condition]:
    return [rules.Condition(c["field"], c["op"], c["value"]) for c in rule.conditions]


class _Directory:
    """Identity lookups of one planning, each asked at most once."""

    def __init__(self, groups: GroupDirectory) -> None:
        self._groups = groups
        self._active: set[uuid.UUID] | None = None

    async def candidates(self, rule: AssignmentRuleRow) -> list[uuid.UUID]:
        if rule.target_type == "user":
            if self._active is None:
                self._active = await self._groups.active_user_ids()
            user = rule.target_user_id
            return [user] if user is not None and user in self._active else []
        if rule.target_group_id is None:
            return []
        return await self._groups.group_users(rule.target_group_id) or []
