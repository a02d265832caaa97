"""Helpers shared by the access-model handlers (roles, profiles, groups, sharing):
authorisation, tenant-scoped loading, name and version checks, AccessChanged events."""

from __future__ import annotations

import uuid
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm.identity.v1 import events_pb2
from crm_common.access import require
from crm_common.auth import Principal
from crm_common.db import TenantScoped, UnitOfWork
from crm_common.errors import AlreadyExists, FailedPrecondition, NotFound, VersionConflict
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page, paginate
from identity.adapters.orm_access import GroupRow, ProfileRow, RoleRow, SharingRuleRow
from identity.domain import events
from identity.service_layer.access_resolution import access_for
from identity.service_layer.deps import IdentityDeps

# Table -> the ``kind`` of AccessChanged events (and of messages).
KINDS: dict[type[TenantScoped], str] = {
    RoleRow: "role",
    ProfileRow: "profile",
    GroupRow: "group",
    SharingRuleRow: "sharing_rule",
}
M = TypeVar("M", bound=TenantScoped)


async def authorize(uow: UnitOfWork, principal: Principal, module: str, action: str) -> uuid.UUID:
    """The caller's tenant id, once the caller may ``action`` on ``module``."""
    ctx = await access_for(uow, principal)
    require(ctx, module, action)
    return uuid.UUID(ctx.tenant_id)


async def get_live(
    principal: Principal, deps: IdentityDeps, model: type[M], module: str, record_id: uuid.UUID
) -> M:
    """One live record of the caller's tenant, for a caller who may view ``module``."""
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, module, "view")
        return await load_live(uow, model, tenant_id, record_id)


async def list_live(
    principal: Principal,
    deps: IdentityDeps,
    model: type[M],
    module: str,
    *,
    limit: int,
    cursor: str | None,
) -> Page[M]:
    """A page of the caller's tenant's live records, oldest first."""
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, module, "view")
        stmt = sa.select(model).where(model.tenant_id == tenant_id, model.deleted_at.is_(None))
        order = (model.created_at, model.id)
        return await paginate(uow.session, stmt, order, limit=limit, cursor=cursor)


async def load_live(
    uow: UnitOfWork, model: type[M], tenant_id: uuid.UUID, record_id: uuid.UUID
) -> M:
    """The tenant's live row; another tenant's id is not found, like a missing one."""
    row = await uow.session.scalar(
        sa.select(model).where(
            model.id == record_id, model.tenant_id == tenant_id, model.deleted_at.is_(None)
        )
    )
    if row is None:
        raise NotFound(f"{KINDS[model].replace('_', ' ')} not found")
    return row


async def check_name_free(
    uow: UnitOfWork,
    model: type[RoleRow | GroupRow | ProfileRow],
    tenant_id: uuid.UUID,
    name: str,
    kind: str,
) -> None:
    """Names are unique among the tenant's live records (a deleted one frees its name)."""
    taken = await uow.session.scalar(
        sa.select(model.id).where(
            model.tenant_id == tenant_id, model.name == name, model.deleted_at.is_(None)
        )
    )
    if taken:
        raise AlreadyExists(f"a {kind} named '{name}' exists", field="name")


Blocker = tuple[type[TenantScoped], sa.ColumnElement[bool], str]


async def refuse_if_referenced(uow: UnitOfWork, blockers: list[Blocker]) -> None:
    """FailedPrecondition (409) for the first kind of live record still referring."""
    for model, condition, message in blockers:
        live = sa.and_(condition, model.deleted_at.is_(None))
        count = await uow.session.scalar(sa.select(sa.func.count()).select_from(model).where(live))
        if count:
            raise FailedPrecondition(f"{count} {message}")


def check_version(row: TenantScoped, expected: int) -> None:
    if expected and expected != row.version:
        raise VersionConflict(f"the record is at version {row.version}, not {expected}")


def record_change(
    uow: UnitOfWork, principal: Principal, row: TenantScoped, change: str, detail: str
) -> None:
    """Every change of the access model becomes an AccessChanged event (audit, caches)."""
    kind = KINDS[type(row)]
    payload = events_pb2.AccessChanged(
        kind=kind, record_id=str(row.id), change=change, detail=detail[:1000]
    )
    record_event(uow, principal, row.tenant_id, payload)


def record_event(
    uow: UnitOfWork, principal: Principal, tenant_id: uuid.UUID, payload: events_pb2.AccessChanged
) -> None:
    actor_id = principal.user_id
    uow.record(
        NewEvent(events.ACCESS_CHANGED, str(tenant_id), payload.record_id, payload, actor_id)
    )


async def commit(uow: UnitOfWork, kind: str) -> None:
    try:
        await uow.commit()
    except IntegrityError as exc:  # a concurrent create took the name first
        raise AlreadyExists(f"a {kind} with this name exists", field="name") from exc
    except StaleDataError as exc:
        raise VersionConflict(f"the {kind} changed concurrently; read it again") from exc


def actor(principal: Principal) -> uuid.UUID | None:
    return uuid.UUID(principal.user_id) if principal.user_id else None
