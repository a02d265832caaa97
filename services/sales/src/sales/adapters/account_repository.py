"""Queries of accounts and contacts, always within the caller's tenant and visibility
(another tenant's record, a deleted one and one the caller may not see are all
simply *not found*)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from crm_common.access import AccessContext, visible_filter
from crm_common.errors import InvalidArgument, NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from sales.adapters.orm import AccountRow, ContactRow
from sales.adapters.orm_deals import DealRow
from sales.adapters.repository import escape_like

ACCOUNTS = "accounts"
CONTACTS = "contacts"
MAX_DEPTH = 100  # of the account hierarchy walked when checking for cycles


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    owner_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    tag: str = ""


@dataclass(frozen=True)
class ContactFilters:
    account_id: uuid.UUID | None = None
    q: str = ""
    tag: str = ""


def _search(q: str, *columns: InstrumentedAttribute[str]) -> sa.ColumnElement[bool]:
    pattern = f"%{escape_like(q)}%"
    return sa.or_(*(column.ilike(pattern, escape="\\") for column in columns))


class AccountRepository:
    def __init__(self, session: AsyncSession, ctx: AccessContext) -> None:
        self.session = session
        self.ctx = ctx
        self.tenant_id = uuid.UUID(ctx.tenant_id)

    def _live(self) -> list[sa.ColumnElement[bool]]:
        return [AccountRow.tenant_id == self.tenant_id, active(AccountRow)]

    def _visible(self) -> list[sa.ColumnElement[bool]]:
        return [*self._live(), visible_filter(self.ctx, ACCOUNTS, AccountRow.owner_id)]

    async def get(
        self, account_id: uuid.UUID, *, for_update: bool = False, for_share: bool = False
    ) -> AccountRow:
        stmt = sa.select(AccountRow).where(AccountRow.id == account_id, *self._visible())
        if for_update or for_share:
            stmt = stmt.with_for_update(read=for_share and not for_update)
        account = await self.session.scalar(stmt)
        if account is None:
            raise NotFound("account not found")
        return account

    async def get_referenced(
        self, account_id: uuid.UUID, field: str, *, for_share: bool = False
    ) -> AccountRow:
        """An account another record points at: 422 ``field`` if the tenant has no
        such live account, 404 if the caller may not see it."""
        exists = sa.select(AccountRow.id).where(AccountRow.id == account_id, *self._live())
        if await self.session.scalar(exists) is None:
            raise InvalidArgument.for_field(field, "no such account")
        return await self.get(account_id, for_share=for_share)

    async def ancestry(self, account_id: uuid.UUID) -> list[uuid.UUID]:
        """The account and its ancestors, nearest first (the whole tenant, not only
        what the caller sees: a cycle is a cycle whoever can see it)."""
        tree = (
            sa.select(AccountRow.id, AccountRow.parent_id, sa.literal(1).label("depth"))
            .where(AccountRow.id == account_id, AccountRow.tenant_id == self.tenant_id)
            .cte("ancestry", recursive=True)
        )
        parent = aliased(AccountRow)
        tree = tree.union_all(
            sa.select(parent.id, parent.parent_id, tree.c.depth + 1).where(
                parent.id == tree.c.parent_id,
                parent.tenant_id == self.tenant_id,
                tree.c.depth < MAX_DEPTH,
            )
        )
        rows = await self.session.execute(sa.select(tree.c.id).order_by(tree.c.depth))
        return [row[0] for row in rows]

    async def lock_tree(self) -> None:
        """Hierarchy changes of a tenant take turns, so two concurrent moves cannot
        make a cycle together (transaction-scoped lock)."""
        await self.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"sales:account-tree:{self.tenant_id}"},
        )

    async def has_live_contacts(self, account_id: uuid.UUID) -> bool:
        stmt = sa.select(ContactRow.id).where(
            ContactRow.tenant_id == self.tenant_id,
            ContactRow.account_id == account_id,
            active(ContactRow),
        )
        return await self.session.scalar(stmt.limit(1)) is not None

    async def has_live_deals(self, account_id: uuid.UUID) -> bool:
        stmt = sa.select(DealRow.id).where(
            DealRow.tenant_id == self.tenant_id, DealRow.account_id == account_id, active(DealRow)
        )
        return await self.session.scalar(stmt.limit(1)) is not None

    async def has_live_children(self, account_id: uuid.UUID) -> bool:
        stmt = sa.select(AccountRow.id).where(AccountRow.parent_id == account_id, *self._live())
        return await self.session.scalar(stmt.limit(1)) is not None

    async def page(
        self, filters: AccountFilters, *, limit: int, cursor: str | None
    ) -> Page[AccountRow]:
        stmt = sa.select(AccountRow).where(*self._visible())
        if filters.owner_id is not None:
            stmt = stmt.where(AccountRow.owner_id == filters.owner_id)
        if filters.parent_id is not None:
            stmt = stmt.where(AccountRow.parent_id == filters.parent_id)
        if filters.q:
            stmt = stmt.where(_search(filters.q, AccountRow.name, AccountRow.website))
        if filters.tag:
            stmt = stmt.where(AccountRow.tags.contains([filters.tag]))  # @>, the GIN index
        order = (AccountRow.created_at, AccountRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)


class ContactRepository:
    def __init__(self, session: AsyncSession, ctx: AccessContext) -> None:
        self.session = session
        self.ctx = ctx
        self.tenant_id = uuid.UUID(ctx.tenant_id)

    def _visible(self) -> list[sa.ColumnElement[bool]]:
        return [
            ContactRow.tenant_id == self.tenant_id,
            active(ContactRow),
            visible_filter(self.ctx, CONTACTS, ContactRow.owner_id),
        ]

    async def get(self, contact_id: uuid.UUID, *, for_update: bool = False) -> ContactRow:
        stmt = sa.select(ContactRow).where(ContactRow.id == contact_id, *self._visible())
        if for_update:
            stmt = stmt.with_for_update()
        contact = await self.session.scalar(stmt)
        if contact is None:
            raise NotFound("contact not found")
        return contact

    async def page(
        self, filters: ContactFilters, *, limit: int, cursor: str | None
    ) -> Page[ContactRow]:
        stmt = sa.select(ContactRow).where(*self._visible())
        if filters.account_id is not None:
            stmt = stmt.where(ContactRow.account_id == filters.account_id)
        if filters.q:
            stmt = stmt.where(
                _search(filters.q, ContactRow.first_name, ContactRow.last_name, ContactRow.email)
            )
        if filters.tag:
            stmt = stmt.where(ContactRow.tags.contains([filters.tag]))
        order = (ContactRow.created_at, ContactRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)
