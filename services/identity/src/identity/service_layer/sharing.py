"""Sharing: the org-wide default per module (private | public_read |
public_read_write) and rules "records of <module> owned by role/group X are
shared with role/group Y as read or read_write". Read at request time by
``access_resolution``, so a change applies to the next request."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from crm.identity.v1 import events_pb2
from crm_common.auth import Principal
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from identity.adapters.orm_access import GroupRow, RoleRow, SharingDefaultRow, SharingRuleRow
from identity.domain import access_rules, seeds
from identity.domain.access_rules import Member, SharingRuleSpec
from identity.service_layer.access_common import (
    actor,
    authorize,
    commit,
    get_live,
    list_live,
    load_live,
    record_change,
    record_event,
)
from identity.service_layer.deps import IdentityDeps
from identity.service_layer.groups import live_ids

MODULE = "sharing_rules"
PRIVATE = "private"


async def create_rule(
    spec: SharingRuleSpec, principal: Principal, deps: IdentityDeps
) -> SharingRuleRow:
    access_rules.check_sharing_rule(spec)
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "create")
        await _check_party(uow, tenant_id, "owner", spec.owner)
        await _check_party(uow, tenant_id, "grantee", spec.grantee)
        rule = SharingRuleRow(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            module=spec.module,
            owner_type=spec.owner.type,
            owner_id=uuid.UUID(spec.owner.id),
            grantee_type=spec.grantee.type,
            grantee_id=uuid.UUID(spec.grantee.id),
            access=spec.access,
        )
        rule.created_by = rule.updated_by = actor(principal)
        uow.session.add(rule)
        record_change(uow, principal, rule, "created", _describe(rule))
        await commit(uow, "sharing rule")
    return rule


async def get_rule(rule_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> SharingRuleRow:
    return await get_live(principal, deps, SharingRuleRow, MODULE, rule_id)


async def list_rules(
    principal: Principal, deps: IdentityDeps, *, limit: int, cursor: str | None
) -> Page[SharingRuleRow]:
    return await list_live(principal, deps, SharingRuleRow, MODULE, limit=limit, cursor=cursor)


async def delete_rule(rule_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> None:
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "delete")
        rule = await load_live(uow, SharingRuleRow, tenant_id, rule_id)
        rule.deleted_at, rule.updated_by = utcnow(), actor(principal)
        record_change(uow, principal, rule, "deleted", _describe(rule))
        await commit(uow, "sharing rule")


async def get_defaults(principal: Principal, deps: IdentityDeps) -> dict[str, str]:
    """Every module's default; modules without a row are private."""
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "view")
        return await _defaults(uow, tenant_id)


async def set_defaults(
    defaults: dict[str, str], principal: Principal, deps: IdentityDeps
) -> dict[str, str]:
    """Upserts the given modules' defaults; the others keep theirs."""
    access_rules.check_sharing_defaults(defaults)
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "edit")
        if not defaults:
            return await _defaults(uow, tenant_id)
        rows = [{"tenant_id": tenant_id, "module": m, "access": a} for m, a in defaults.items()]
        stmt = insert(SharingDefaultRow).values(rows)
        await uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "module"], set_={"access": stmt.excluded.access}
            )
        )
        detail = ", ".join(f"{m}={a}" for m, a in sorted(defaults.items()))
        change = events_pb2.AccessChanged(
            kind="sharing_defaults", record_id=str(tenant_id), change="updated", detail=detail
        )
        record_event(uow, principal, tenant_id, change)
        result = await _defaults(uow, tenant_id)
        await uow.commit()
    return result


async def _defaults(uow: UnitOfWork, tenant_id: uuid.UUID) -> dict[str, str]:
    rows = await uow.session.scalars(
        sa.select(SharingDefaultRow).where(SharingDefaultRow.tenant_id == tenant_id)
    )
    stored = {row.module: row.access for row in rows}
    return {module: stored.get(module, PRIVATE) for module in seeds.MODULES}


async def _check_party(uow: UnitOfWork, tenant_id: uuid.UUID, where: str, party: Member) -> None:
    model = GroupRow if party.type == "group" else RoleRow
    ident = uuid.UUID(party.id)
    if ident not in await live_ids(uow, model, tenant_id, [ident]):
        kind = "group" if party.type == "group" else "role"
        raise InvalidArgument.for_field(f"{where}.id", f"no such {kind} in this tenant")


def _describe(rule: SharingRuleRow) -> str:
    return (
        f"{rule.module} owned by {rule.owner_type} {rule.owner_id} "
        f"shared with {rule.grantee_type} {rule.grantee_id} as {rule.access}"
    )
