"""Accounts found by name or external id (CSV relations), and external ids in use.

Lookups run within the caller's tenant and visibility: an account the caller may
not see is simply not found, whether named or referenced by external id. Names
compare case-insensitively; external ids exactly. Found accounts are read
``FOR SHARE``, so none can be deleted under an import that points at it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, hidden_fields, visible_filter
from crm_common.recycle_bin import active
from sales.adapters.account_repository import ACCOUNTS
from sales.adapters.orm import AccountRow, ContactRow

ExternalIdModel = type[AccountRow] | type[ContactRow]


@dataclass(frozen=True)
class AccountRef:
    id: uuid.UUID
    name: str
    external_id: str | None


def name_key(name: str) -> str:
    return name.strip().lower()


async def taken_external_ids(
    session: AsyncSession,
    model: ExternalIdModel,
    tenant_id: uuid.UUID,
    external_ids: Collection[str],
    *,
    but: uuid.UUID | None = None,
) -> set[str]:
    """Which of ``external_ids`` a live record of the tenant has (whoever sees it:
    the ids are unique tenant-wide)."""
    if not external_ids:
        return set()
    stmt = sa.select(model.external_id).where(
        model.tenant_id == tenant_id, active(model), model.external_id.in_(list(external_ids))
    )
    if but is not None:
        stmt = stmt.where(model.id != but)
    return {value for value in await session.scalars(stmt) if value}


async def find_accounts(
    session: AsyncSession,
    ctx: AccessContext,
    *,
    names: Iterable[str] = (),
    external_ids: Iterable[str] = (),
) -> list[AccountRef]:
    """Live accounts the caller may see whose name (case-insensitive) or external
    id is among those given, locked FOR SHARE until the transaction ends."""
    keys, ids = sorted({name_key(n) for n in names}), sorted(set(external_ids))
    matches: list[sa.ColumnElement[bool]] = []
    if keys:
        matches.append(sa.func.lower(AccountRow.name).in_(keys))
    if ids:
        matches.append(AccountRow.external_id.in_(ids))
    if not matches:
        return []
    stmt = (
        sa.select(AccountRow.id, AccountRow.name, AccountRow.external_id)
        .where(*_visible(ctx), sa.or_(*matches))
        .order_by(AccountRow.created_at, AccountRow.id)
        .with_for_update(read=True, of=AccountRow)
    )
    return [AccountRef(*row) for row in await session.execute(stmt)]


async def accounts_by_id(
    session: AsyncSession, ctx: AccessContext, account_ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, AccountRef]:
    """The accounts among ``account_ids`` the caller may see (exports name them);
    fields hidden from the caller come back empty."""
    wanted = sorted({i for i in account_ids if i is not None})
    if not wanted:
        return {}
    stmt = sa.select(AccountRow.id, AccountRow.name, AccountRow.external_id).where(
        *_visible(ctx), AccountRow.id.in_(wanted)
    )
    hidden = hidden_fields(ctx, ACCOUNTS)
    found = {}
    for account_id, name, external_id in await session.execute(stmt):
        found[account_id] = AccountRef(
            account_id,
            "" if "name" in hidden else name,
            None if "external_id" in hidden else external_id,
        )
    return found


def _visible(ctx: AccessContext) -> list[sa.ColumnElement[bool]]:
    return [
        AccountRow.tenant_id == uuid.UUID(ctx.tenant_id),
        active(AccountRow),
        visible_filter(ctx, ACCOUNTS, AccountRow.owner_id),
    ]
