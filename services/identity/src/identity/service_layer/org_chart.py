"""What other services need to act for a caller of the tenant: the users a group
stands for (assignment rules) and the org chart (forecast roll-ups).

Any authenticated caller of the tenant may ask; another tenant's group is not
found. Only active users count.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import require_tenant
from crm_common.auth import Principal
from identity.adapters.orm import UserRow
from identity.adapters.orm_access import GroupRow, RoleRow
from identity.service_layer.access_common import load_live
from identity.service_layer.deps import IdentityDeps


@dataclass(frozen=True)
class OrgChart:
    roles: list[RoleRow]
    users: list[UserRow]  # active ones


async def resolve_group_users(
    group_id: uuid.UUID, principal: Principal, deps: IdentityDeps
) -> list[uuid.UUID]:
    """The group's members expanded (users, roles, roles with subordinates) to
    active users, sorted by id."""
    tenant_id = uuid.UUID(require_tenant(principal))
    async with deps.uow() as uow:
        group = await load_live(uow, GroupRow, tenant_id, group_id)
        return await group_user_ids(uow.session, tenant_id, group.members)


async def get_org_chart(principal: Principal, deps: IdentityDeps) -> OrgChart:
    tenant_id = uuid.UUID(require_tenant(principal))
    async with deps.uow() as uow:
        roles = await uow.session.scalars(
            sa.select(RoleRow)
            .where(RoleRow.tenant_id == tenant_id, RoleRow.deleted_at.is_(None))
            .order_by(RoleRow.path)
        )
        users = await uow.session.scalars(
            sa.select(UserRow).where(*_active_users(tenant_id)).order_by(UserRow.id)
        )
        return OrgChart(list(roles), list(users))


async def group_user_ids(
    session: AsyncSession, tenant_id: uuid.UUID, members: Sequence[dict[str, str]]
) -> list[uuid.UUID]:
    ids = {kind: {m["id"] for m in members if m.get("type") == kind} for kind in _KINDS}
    matches: list[sa.ColumnElement[bool]] = []
    if ids["user"]:
        matches.append(UserRow.id.in_(_uuids(ids["user"])))
    if ids["role"]:
        matches.append(UserRow.role_id.in_(_uuids(ids["role"])))
    if ids["role_and_subordinates"]:
        paths = await session.scalars(
            sa.select(RoleRow.path).where(
                RoleRow.tenant_id == tenant_id,
                RoleRow.id.in_(_uuids(ids["role_and_subordinates"])),
                RoleRow.deleted_at.is_(None),
            )
        )
        matches += [RoleRow.path.startswith(path, autoescape=True) for path in paths]
    if not matches:
        return []
    rows = await session.scalars(
        sa.select(UserRow.id)
        .outerjoin(RoleRow, RoleRow.id == UserRow.role_id)
        .where(*_active_users(tenant_id), sa.or_(*matches))
        .order_by(UserRow.id)
    )
    return list(rows)


_KINDS = ("user", "role", "role_and_subordinates")


def _active_users(tenant_id: uuid.UUID) -> list[sa.ColumnElement[bool]]:
    return [UserRow.tenant_id == tenant_id, UserRow.active.is_(True), UserRow.deleted_at.is_(None)]


def _uuids(values: set[str]) -> list[uuid.UUID]:
    return sorted(uuid.UUID(v) for v in values)
