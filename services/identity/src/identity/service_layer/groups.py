"""Groups of users and of roles (with or without their subordinates). A group can
own records and be named by sharing rules; membership is resolved at request
time (``access_resolution.groups_of``), so a change applies at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from crm_common.auth import Principal
from crm_common.db import TenantScoped, UnitOfWork, utcnow
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from identity.adapters.orm import UserRow
from identity.adapters.orm_access import GroupRow, RoleRow, SharingRuleRow
from identity.domain import access_rules
from identity.domain.access_rules import GroupSpec, Member
from identity.service_layer.access_common import (
    actor,
    authorize,
    check_name_free,
    check_version,
    commit,
    get_live,
    list_live,
    load_live,
    record_change,
    refuse_if_referenced,
)
from identity.service_layer.deps import IdentityDeps

MODULE = "groups"


@dataclass(frozen=True)
class UpdateGroup:
    group_id: uuid.UUID
    mask: tuple[str, ...]
    spec: GroupSpec
    expected_version: int = 0


async def create_group(spec: GroupSpec, principal: Principal, deps: IdentityDeps) -> GroupRow:
    access_rules.check_group(spec)
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "create")
        await check_name_free(uow, GroupRow, tenant_id, spec.name.strip(), "group")
        group = GroupRow(id=uuid.uuid4(), tenant_id=tenant_id, name=spec.name.strip())
        group.members = await _members(uow, tenant_id, spec.members)
        group.created_by = group.updated_by = actor(principal)
        uow.session.add(group)
        record_change(uow, principal, group, "created", _describe(group))
        await commit(uow, "group")
    return group


async def get_group(group_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> GroupRow:
    return await get_live(principal, deps, GroupRow, MODULE, group_id)


async def list_groups(
    principal: Principal, deps: IdentityDeps, *, limit: int, cursor: str | None
) -> Page[GroupRow]:
    return await list_live(principal, deps, GroupRow, MODULE, limit=limit, cursor=cursor)


async def update_group(cmd: UpdateGroup, principal: Principal, deps: IdentityDeps) -> GroupRow:
    access_rules.check_mask(cmd.mask, access_rules.GROUP_FIELDS)
    access_rules.check_group(cmd.spec, cmd.mask)
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "edit")
        group = await load_live(uow, GroupRow, tenant_id, cmd.group_id)
        check_version(group, cmd.expected_version)
        if not cmd.mask:
            return group
        name = cmd.spec.name.strip()
        if "name" in cmd.mask and name != group.name:
            await check_name_free(uow, GroupRow, tenant_id, name, "group")
            group.name = name
        if "members" in cmd.mask:
            group.members = await _members(uow, tenant_id, cmd.spec.members)
        group.updated_by = actor(principal)
        record_change(uow, principal, group, "updated", _describe(group))
        await commit(uow, "group")
    return group


async def delete_group(group_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> None:
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "delete")
        group = await load_live(uow, GroupRow, tenant_id, group_id)
        named = sa.or_(SharingRuleRow.owner_id == group.id, SharingRuleRow.grantee_id == group.id)
        await refuse_if_referenced(
            uow, [(SharingRuleRow, named, "sharing rules name this group: delete them first")]
        )
        group.deleted_at, group.updated_by = utcnow(), actor(principal)
        record_change(uow, principal, group, "deleted", group.name)
        await commit(uow, "group")


async def live_ids(
    uow: UnitOfWork, model: type[TenantScoped], tenant_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of ``ids`` that are live records of ``model`` in the tenant."""
    wanted = set(ids)
    if not wanted:
        return set()
    found = await uow.session.scalars(
        sa.select(model.id).where(
            model.id.in_(wanted), model.tenant_id == tenant_id, model.deleted_at.is_(None)
        )
    )
    return set(found)


async def _members(
    uow: UnitOfWork, tenant_id: uuid.UUID, members: Sequence[Member]
) -> list[dict[str, str]]:
    """Members as stored (canonical UUIDs, no duplicates); each must be in the tenant."""
    unique = list(dict.fromkeys(Member(m.type, str(uuid.UUID(m.id))) for m in members))
    users = {uuid.UUID(m.id) for m in unique if m.type == "user"}
    roles = {uuid.UUID(m.id) for m in unique if m.type != "user"}
    missing = (users - await live_ids(uow, UserRow, tenant_id, users)) | (
        roles - await live_ids(uow, RoleRow, tenant_id, roles)
    )
    if missing:
        unknown = ", ".join(sorted(str(i) for i in missing))
        raise InvalidArgument.for_field("members", f"not users or roles of this tenant: {unknown}")
    return [{"type": m.type, "id": m.id} for m in unique]


def _describe(group: GroupRow) -> str:
    return f"{group.name}: {len(group.members)} members"
