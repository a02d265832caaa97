"""The AccessContext of a principal, computed now from identity's tables.

Nothing is snapshotted per user: subordinates come from the role paths, groups
and sharing rules are read as they are at this moment. Identity uses it for
its own records; other services get the same answer through ResolveAccess.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import ALL, AccessContext, require_tenant
from crm_common.auth import Principal
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import Unauthenticated
from identity.adapters.orm import UserRow
from identity.adapters.orm_access import (
    ApiKeyRow,
    GroupRow,
    ProfileRow,
    RoleRow,
    SharingDefaultRow,
    SharingRuleRow,
)


async def access_for(uow: UnitOfWork, principal: Principal) -> AccessContext:
    tenant_id = uuid.UUID(require_tenant(principal))
    session = uow.session
    defaults = await _defaults(session, tenant_id)
    key_id = principal.extra.get("api_key_id", "")
    if key_id:
        return await _for_api_key(session, tenant_id, uuid.UUID(key_id), defaults)
    return await _for_user(session, tenant_id, uuid.UUID(principal.user_id), defaults)


async def _for_api_key(
    session: AsyncSession, tenant_id: uuid.UUID, key_id: uuid.UUID, defaults: dict[str, str]
) -> AccessContext:
    key = await session.scalar(
        sa.select(ApiKeyRow).where(ApiKeyRow.id == key_id, ApiKeyRow.tenant_id == tenant_id)
    )
    if key is None or key.revoked_at is not None or _expired(key.expires_at):
        raise Unauthenticated("API key revoked or expired")
    profiles = await _profiles(session, tenant_id, [key.profile_id])
    permissions, fields = merge_profiles(profiles)
    return AccessContext(
        tenant_id=str(tenant_id),
        api_key_id=str(key_id),
        all_records=True,
        permissions=permissions,
        fields=fields,
        defaults=defaults,
        profile_ids=(str(key.profile_id),),
    )


async def _for_user(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, defaults: dict[str, str]
) -> AccessContext:
    user = await session.scalar(
        sa.select(UserRow).where(UserRow.id == user_id, UserRow.tenant_id == tenant_id)
    )
    if user is None or not user.active:
        raise Unauthenticated("user not found or disabled")
    role = await session.get(RoleRow, user.role_id) if user.role_id else None
    profiles = await _profiles(session, tenant_id, list(user.profile_ids))
    permissions, fields = merge_profiles(profiles)
    groups = await groups_of(session, tenant_id, user.id, role)
    subordinates = await users_below(session, tenant_id, role)
    shared_read, shared_write = await _shared(session, tenant_id, user.id, role, groups)
    return AccessContext(
        tenant_id=str(tenant_id),
        user_id=str(user.id),
        all_records=ALL in permissions and ALL in permissions[ALL],
        permissions=permissions,
        fields=fields,
        defaults=defaults,
        own_ids=frozenset({str(user.id), *subordinates, *(str(g) for g in groups)}),
        shared_read=shared_read,
        shared_write=shared_write,
        role_id=str(role.id) if role else "",
        profile_ids=tuple(str(p.id) for p in profiles),
        group_ids=tuple(sorted(str(g) for g in groups)),
    )


def merge_profiles(
    profiles: list[ProfileRow],
) -> tuple[dict[str, frozenset[str]], dict[str, dict[str, str]]]:
    """Union of permissions; field rules most permissive: a field stays restricted only
    when every profile restricts it (hidden only when all hide it)."""
    permissions: dict[str, set[str]] = defaultdict(set)
    for profile in profiles:
        for module, actions in profile.permissions.items():
            permissions[module].update(actions)
    fields: dict[str, dict[str, str]] = {}
    if profiles:
        modules = set.intersection(*(set(p.fields) for p in profiles))
        for module in modules:
            names = set.intersection(*(set(p.fields[module]) for p in profiles))
            fields[module] = {
                n: "hidden"
                if all(p.fields[module][n] == "hidden" for p in profiles)
                else "read_only"
                for n in names
            }
    return {m: frozenset(a) for m, a in permissions.items()}, fields


async def users_below(
    session: AsyncSession, tenant_id: uuid.UUID, role: RoleRow | None
) -> set[str]:
    """Users whose role lies strictly below ``role`` in the tree (not my peers)."""
    if role is None:
        return set()
    rows = await session.scalars(
        sa.select(UserRow.id)
        .join(RoleRow, RoleRow.id == UserRow.role_id)
        .where(
            RoleRow.tenant_id == tenant_id,
            RoleRow.path.startswith(role.path, autoescape=True),
            RoleRow.id != role.id,
            RoleRow.deleted_at.is_(None),
        )
    )
    return {str(i) for i in rows}


async def groups_of(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, role: RoleRow | None
) -> set[uuid.UUID]:
    groups = await session.scalars(
        sa.select(GroupRow).where(GroupRow.tenant_id == tenant_id, GroupRow.deleted_at.is_(None))
    )
    ancestors = _role_ancestors(role)
    return {
        g.id for g in groups if any(_member_matches(m, user_id, role, ancestors) for m in g.members)
    }


def _role_ancestors(role: RoleRow | None) -> set[str]:
    """Ids of ``role`` and every role above it, from its path."""
    return set(filter(None, role.path.split("/"))) if role else set()


def _member_matches(
    member: dict[str, Any], user_id: uuid.UUID, role: RoleRow | None, ancestors: set[str]
) -> bool:
    kind, ident = member.get("type"), member.get("id")
    if kind == "user":
        return ident == str(user_id)
    if kind == "role":
        return role is not None and ident == str(role.id)
    return kind == "role_and_subordinates" and ident in ancestors


async def _shared(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    role: RoleRow | None,
    groups: set[uuid.UUID],
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    rules = await session.scalars(
        sa.select(SharingRuleRow).where(
            SharingRuleRow.tenant_id == tenant_id, SharingRuleRow.deleted_at.is_(None)
        )
    )
    ancestors = _role_ancestors(role)
    read: dict[str, set[str]] = defaultdict(set)
    write: dict[str, set[str]] = defaultdict(set)
    for rule in rules:
        grantee = {"type": rule.grantee_type, "id": str(rule.grantee_id)}
        granted = (rule.grantee_type == "group" and rule.grantee_id in groups) or (
            _member_matches(grantee, user_id, role, ancestors)
        )
        if granted:
            owners = await _owners(session, tenant_id, rule.owner_type, rule.owner_id)
            (write if rule.access == "read_write" else read)[rule.module].update(owners)
    return _frozen(read), _frozen(write)


async def _owners(
    session: AsyncSession, tenant_id: uuid.UUID, kind: str, ident: uuid.UUID
) -> set[str]:
    """Owner ids covered by "records owned by <kind> <ident>"."""
    if kind == "group":
        group = await session.get(GroupRow, ident)
        if group is None or group.deleted_at is not None or group.tenant_id != tenant_id:
            return set()
        members = {m["id"] for m in group.members if m.get("type") == "user"}
        return {str(ident), *members}
    role = await session.get(RoleRow, ident)
    if role is None or role.tenant_id != tenant_id:
        return set()
    condition = (
        RoleRow.path.startswith(role.path, autoescape=True)
        if kind == "role_and_subordinates"
        else RoleRow.id == role.id
    )
    rows = await session.scalars(
        sa.select(UserRow.id)
        .join(RoleRow, RoleRow.id == UserRow.role_id)
        .where(RoleRow.tenant_id == tenant_id, condition)
    )
    return {str(i) for i in rows}


async def _profiles(
    session: AsyncSession, tenant_id: uuid.UUID, ids: list[uuid.UUID]
) -> list[ProfileRow]:
    if not ids:
        return []
    rows = await session.scalars(
        sa.select(ProfileRow).where(
            ProfileRow.tenant_id == tenant_id,
            ProfileRow.id.in_(ids),
            ProfileRow.deleted_at.is_(None),
        )
    )
    return list(rows)


async def _defaults(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, str]:
    rows = await session.scalars(
        sa.select(SharingDefaultRow).where(SharingDefaultRow.tenant_id == tenant_id)
    )
    return {row.module: row.access for row in rows}


def _frozen(data: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {key: frozenset(value) for key, value in data.items()}


def _expired(expires_at: Any) -> bool:
    return expires_at is not None and expires_at <= utcnow()
