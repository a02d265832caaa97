"""The roles tree of a tenant: create, read, list, rename, move, delete.

``path`` lists the ids from the root down ("/root/child/"): "below" is a prefix
match. Changes take the tenant's tree lock (advisory, until commit) before reading
paths, so concurrent moves are serialised and cannot build a cycle.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from crm_common.auth import Principal
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)
from crm_common.pagination import Page
from identity.adapters.orm import UserRow
from identity.adapters.orm_access import GroupRow, RoleRow, SharingRuleRow
from identity.domain import access_rules, rules
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

MODULE = "roles"


@dataclass(frozen=True)
class UpdateRole:
    role_id: uuid.UUID
    mask: tuple[str, ...]
    name: str = ""
    parent_id: uuid.UUID | None = None
    expected_version: int = 0


async def create_role(
    name: str, parent_id: uuid.UUID | None, principal: Principal, deps: IdentityDeps
) -> RoleRow:
    _check_name(name)
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "create")
        await lock_tree(uow, tenant_id)
        parent = await _parent(uow, tenant_id, parent_id)
        await _check_name_free(uow, tenant_id, name.strip())
        role = RoleRow(id=uuid.uuid4(), tenant_id=tenant_id, name=name.strip())
        _place(role, parent)
        role.created_by = role.updated_by = actor(principal)
        uow.session.add(role)
        record_change(uow, principal, role, "created", f"{role.name} under {parent.name}")
        await commit(uow, "role")
    return role


async def get_role(role_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> RoleRow:
    return await get_live(principal, deps, RoleRow, MODULE, role_id)


async def list_roles(
    principal: Principal, deps: IdentityDeps, *, limit: int, cursor: str | None
) -> Page[RoleRow]:
    return await list_live(principal, deps, RoleRow, MODULE, limit=limit, cursor=cursor)


async def update_role(cmd: UpdateRole, principal: Principal, deps: IdentityDeps) -> RoleRow:
    access_rules.check_mask(cmd.mask, access_rules.ROLE_FIELDS)
    if "name" in cmd.mask:
        _check_name(cmd.name)
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "edit")
        await lock_tree(uow, tenant_id)
        role = await load_live(uow, RoleRow, tenant_id, cmd.role_id)
        check_version(role, cmd.expected_version)
        if not cmd.mask:
            return role
        if "name" in cmd.mask and cmd.name.strip() != role.name:
            await _check_name_free(uow, tenant_id, cmd.name.strip())
            role.name = cmd.name.strip()
        if "parent_id" in cmd.mask:
            await _move(uow, role, await _parent(uow, tenant_id, cmd.parent_id))
        role.updated_by = actor(principal)
        record_change(uow, principal, role, "updated", f"{role.name}: {', '.join(cmd.mask)}")
        await commit(uow, "role")
    return role


async def delete_role(role_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> None:
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "delete")
        await lock_tree(uow, tenant_id)
        role = await load_live(uow, RoleRow, tenant_id, role_id)
        await _check_deletable(uow, role)
        role.deleted_at, role.updated_by = utcnow(), actor(principal)
        record_change(uow, principal, role, "deleted", role.name)
        await commit(uow, "role")


async def lock_tree(uow: UnitOfWork, tenant_id: uuid.UUID) -> None:
    """Serialise changes of one tenant's tree until the transaction ends."""
    digest = hashlib.sha256(b"crm.identity.roles:" + tenant_id.bytes).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    await uow.session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


def _check_name(name: str) -> None:
    v = rules.Violations()
    access_rules.check_name(v, name)
    v.raise_if_any()


def _place(role: RoleRow, parent: RoleRow) -> None:
    role.parent_id, role.path, role.depth = parent.id, f"{parent.path}{role.id}/", parent.depth + 1


async def _parent(uow: UnitOfWork, tenant_id: uuid.UUID, parent_id: uuid.UUID | None) -> RoleRow:
    if parent_id is None:
        raise InvalidArgument.for_field("parent_id", "required: every role but the root has one")
    try:
        return await load_live(uow, RoleRow, tenant_id, parent_id)
    except NotFound as exc:
        raise InvalidArgument.for_field("parent_id", "no such role") from exc


async def _check_name_free(uow: UnitOfWork, tenant_id: uuid.UUID, name: str) -> None:
    await check_name_free(uow, RoleRow, tenant_id, name, "role")


async def _move(uow: UnitOfWork, role: RoleRow, parent: RoleRow) -> None:
    """Re-parent ``role`` and rewrite the paths and depths of its whole subtree."""
    if role.parent_id is None:
        raise FailedPrecondition("the root role cannot be moved")
    if access_rules.is_in_subtree(parent.path, role.path):
        raise InvalidArgument.for_field("parent_id", "cannot move a role under itself or below")
    old_path, shift = role.path, parent.depth + 1 - role.depth
    _place(role, parent)
    await uow.session.execute(
        sa.update(RoleRow)
        .where(
            RoleRow.tenant_id == role.tenant_id,
            RoleRow.path.startswith(old_path, autoescape=True),
            RoleRow.id != role.id,
        )
        .values(
            path=sa.func.concat(role.path, sa.func.substr(RoleRow.path, len(old_path) + 1)),
            depth=RoleRow.depth + shift,
            version=RoleRow.version + 1,
        )
        .execution_options(synchronize_session=False)
    )


async def _check_deletable(uow: UnitOfWork, role: RoleRow) -> None:
    if role.parent_id is None:
        raise FailedPrecondition("the root role cannot be deleted")
    live_children = RoleRow.parent_id == role.id
    named = sa.or_(SharingRuleRow.owner_id == role.id, SharingRuleRow.grantee_id == role.id)
    in_groups = GroupRow.members.contains([{"id": str(role.id)}])
    await refuse_if_referenced(
        uow,
        [
            (UserRow, UserRow.role_id == role.id, "users have this role: move its users first"),
            (RoleRow, live_children, "roles are below it: move or delete them first"),
            (SharingRuleRow, named, "sharing rules name it: delete them first"),
            (GroupRow, in_groups, "groups list it: remove it from them first"),
        ],
    )
