"""Helpers every marketing handler shares: tenant and actor of the caller,
loading a visible record, pages, versions, the tenant's settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from crm_common.access import AccessContext, visible_filter
from crm_common.db import UnitOfWork
from crm_common.errors import NotFound, VersionConflict
from crm_common.pagination import Page, paginate
from marketing.adapters.orm import SettingsRow
from marketing.config import MarketingSettings

R = TypeVar("R")


def tenant_of(ctx: AccessContext) -> uuid.UUID:
    return uuid.UUID(ctx.tenant_id)


def actor(ctx: AccessContext) -> uuid.UUID | None:
    return uuid.UUID(ctx.user_id) if ctx.user_id else None


def _visible(model: Any, ctx: AccessContext, module: str) -> list[Any]:
    return [
        model.tenant_id == tenant_of(ctx),
        model.deleted_at.is_(None),
        visible_filter(ctx, module, model.owner_id),
    ]


async def get_visible(
    session: AsyncSession,
    model: type[R],
    ctx: AccessContext,
    module: str,
    record_id: uuid.UUID,
    *,
    for_update: bool = False,
    what: str = "record",
) -> R:
    m: Any = model
    stmt = sa.select(m).where(m.id == record_id, *_visible(m, ctx, module))
    if for_update:
        stmt = stmt.with_for_update()
    row = await session.scalar(stmt)
    if row is None:
        raise NotFound(f"{what} not found")
    return row


async def page_visible(
    session: AsyncSession,
    model: type[R],
    ctx: AccessContext,
    module: str,
    *,
    limit: int,
    cursor: str | None,
    where: tuple[Any, ...] = (),
) -> Page[R]:
    m: Any = model
    stmt = sa.select(m).where(*_visible(m, ctx, module), *where)
    return await paginate(session, stmt, (m.created_at, m.id), limit=limit, cursor=cursor)


def check_version(row: Any, expected: int, what: str) -> None:
    if expected and expected != row.version:
        raise VersionConflict(f"{what} is at version {row.version}, not {expected}")


async def commit(uow: UnitOfWork, what: str) -> None:
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict(f"the {what} changed concurrently; read it again") from exc


@dataclass(frozen=True)
class TenantSettings:
    mql_threshold: int
    mails_per_minute: int
    timezone: str
    version: int = 0


async def tenant_settings(
    session: AsyncSession, tenant_id: uuid.UUID, defaults: MarketingSettings
) -> TenantSettings:
    row = await session.get(SettingsRow, tenant_id)
    if row is None:
        return TenantSettings(
            defaults.default_mql_threshold, defaults.default_mails_per_minute, "UTC"
        )
    return TenantSettings(row.mql_threshold, row.mails_per_minute, row.timezone, row.version)


async def get_visible_tenant(
    session: Any, model: type[R], ctx: AccessContext, record_id: uuid.UUID, what: str
) -> R:
    """A live record of the caller's tenant (records without an owner)."""
    m: Any = model
    row = await session.scalar(
        sa.select(m).where(m.id == record_id, m.tenant_id == tenant_of(ctx), m.deleted_at.is_(None))
    )
    if row is None:
        raise NotFound(f"{what} not found")
    return row


async def page_tenant(
    session: AsyncSession, model: type[R], ctx: AccessContext, *, limit: int, cursor: str | None
) -> Page[R]:
    m: Any = model
    stmt = sa.select(m).where(m.tenant_id == tenant_of(ctx), m.deleted_at.is_(None))
    return await paginate(session, stmt, (m.created_at, m.id), limit=limit, cursor=cursor)
