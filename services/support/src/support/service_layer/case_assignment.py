"""Assignment of a case over a group: round robin or least loaded.

Planning (identity's group members) happens before the case's transaction;
choosing happens inside it under the group's lock, so concurrent assignments
take turns: round robin hands out cases strictly in turn (a cursor row per
group, FOR UPDATE), least loaded counts the open cases the previous assignment
gave (a transaction-scoped advisory lock per group). A group without active
users leaves the case unassigned in the group's queue.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import InvalidArgument, Unavailable
from support.adapters.case_repository import lock_group, lock_group_cursor, open_cases
from support.domain import case_assignment as rules
from support.service_layer.case_directory import GroupDirectory


@dataclass(frozen=True)
class AssignmentPlan:
    tenant_id: uuid.UUID
    group_id: uuid.UUID
    kind: str  # round_robin | least_loaded
    users: list[uuid.UUID]  # the group's active users, sorted; may be empty


async def plan_assignment(
    directory: GroupDirectory | None,
    tenant_id: uuid.UUID,
    group_id: uuid.UUID,
    kind: str,
    *,
    field: str = "group_id",
) -> AssignmentPlan:
    if directory is None:
        raise Unavailable("group assignment needs identity, which is not configured")
    users = await directory.group_users(group_id)
    if users is None:
        raise InvalidArgument.for_field(field, "no such group")
    return AssignmentPlan(tenant_id, group_id, kind, users)


async def choose_owner(session: AsyncSession, plan: AssignmentPlan) -> uuid.UUID | None:
    """Inside the case's transaction: the owner, and the group's turn taken."""
    if not plan.users:
        return None
    if plan.kind == "least_loaded":
        await lock_group(session, plan.tenant_id, plan.group_id)
        counts = await open_cases(session, plan.tenant_id, plan.users)
        return rules.least_loaded(plan.users, counts)
    cursor = await lock_group_cursor(session, plan.tenant_id, plan.group_id)
    cursor.last_user_id = rules.next_in_turn(plan.users, cursor.last_user_id)
    await session.flush()
    return cursor.last_user_id
