"""For services acting on their own (a notification to send, a stock alert to
route): who the tenant's users are and who holds a permission.

Only internal callers may ask: a principal of kind "service" (or "platform")
carrying the tenant. Users and API keys are refused, since these answers span
every user of the tenant (e-mail addresses included).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from crm_common.access import ALL, require_tenant
from crm_common.auth import Principal
from crm_common.errors import InvalidArgument, PermissionDenied
from identity.adapters.orm import UserRow
from identity.adapters.orm_access import ProfileRow
from identity.service_layer.deps import IdentityDeps

INTERNAL_KINDS = ("service", "platform")
MAX_USERS = 500


def _internal_tenant(principal: Principal) -> uuid.UUID:
    if principal.kind not in INTERNAL_KINDS:
        raise PermissionDenied("only internal services may resolve the tenant's users")
    return uuid.UUID(require_tenant(principal))


async def user_contacts(
    user_ids: Sequence[uuid.UUID], principal: Principal, deps: IdentityDeps
) -> list[UserRow]:
    """The tenant's users among ``user_ids`` (inactive ones too), in the order
    asked, each once; unknown and deleted ids are left out."""
    tenant_id = _internal_tenant(principal)
    if len(user_ids) > MAX_USERS:
        raise InvalidArgument.for_field("user_ids", f"at most {MAX_USERS} ids")
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return []
    async with deps.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(UserRow).where(
                UserRow.tenant_id == tenant_id,
                UserRow.id.in_(wanted),
                UserRow.deleted_at.is_(None),
            )
        )
        by_id = {row.id: row for row in rows}
    return [by_id[i] for i in wanted if i in by_id]


async def users_with_permission(
    module: str, action: str, principal: Principal, deps: IdentityDeps
) -> list[uuid.UUID]:
    """Active users whose profiles grant ``action`` on ``module``, a "*" module or
    action granting everything, sorted by id."""
    tenant_id = _internal_tenant(principal)
    if not module.strip():
        raise InvalidArgument.for_field("module", "required")
    if not action.strip():
        raise InvalidArgument.for_field("action", "required")
    async with deps.uow() as uow:
        profiles = await uow.session.scalars(
            sa.select(ProfileRow).where(
                ProfileRow.tenant_id == tenant_id, ProfileRow.deleted_at.is_(None)
            )
        )
        granting = [p.id for p in profiles if _grants(p.permissions, module, action)]
        if not granting:
            return []
        rows = await uow.session.scalars(
            sa.select(UserRow.id)
            .where(
                UserRow.tenant_id == tenant_id,
                UserRow.active.is_(True),
                UserRow.deleted_at.is_(None),
                UserRow.profile_ids.op("&&")(sa.literal(granting, sa.ARRAY(sa.Uuid))),
            )
            .order_by(UserRow.id)
        )
        return list(rows)


def _grants(permissions: dict[str, Any], module: str, action: str) -> bool:
    for key in (module, ALL):
        actions = permissions.get(key) or []
        if action in actions or ALL in actions:
            return True
    return False
