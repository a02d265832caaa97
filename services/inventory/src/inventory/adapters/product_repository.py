"""Queries of products, always within one tenant. The catalogue is the tenant's,
not a user's: there is no owner, so no record-level filter (module permissions
decide). Another tenant's product is simply *not found*."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from inventory.adapters.orm import ComponentRow, ProductRow

MAX_DEPTH = 50  # of bundle nesting walked when checking for cycles


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    type: str = ""
    active: bool | None = None


def escape_like(text: str) -> str:
    """``text`` matched literally inside an ILIKE pattern (escape char ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ProductRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _live(self) -> list[sa.ColumnElement[bool]]:
        return [ProductRow.tenant_id == self.tenant_id, active(ProductRow)]

    async def get(self, product_id: uuid.UUID, *, for_update: bool = False) -> ProductRow:
        stmt = sa.select(ProductRow).where(ProductRow.id == product_id, *self._live())
        if for_update:
            stmt = stmt.with_for_update()
        product = await self.session.scalar(stmt)
        if product is None:
            raise NotFound("product not found")
        return product

    async def sku_taken(self, key: str, *, other_than: uuid.UUID | None = None) -> bool:
        stmt = sa.select(ProductRow.id).where(
            ProductRow.tenant_id == self.tenant_id, ProductRow.sku_key == key
        )
        if other_than is not None:
            stmt = stmt.where(ProductRow.id != other_than)
        return await self.session.scalar(stmt.limit(1)) is not None

    async def existing(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Those of ``ids`` that are live products of the tenant (locked against a
        concurrent delete until the transaction ends)."""
        wanted = sorted(set(ids))
        if not wanted:
            return set()
        stmt = (
            sa.select(ProductRow.id)
            .where(ProductRow.id.in_(wanted), *self._live())
            .with_for_update(read=True)
        )
        return set((await self.session.scalars(stmt)).all())

    async def nested_in(self, ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
        """``ids`` and every product nested inside them, however deep."""
        wanted = sorted(set(ids))
        if not wanted:
            return []
        tree = (
            sa.select(ComponentRow.component_id.label("id"), sa.literal(1).label("depth"))
            .where(ComponentRow.bundle_id.in_(wanted), ComponentRow.tenant_id == self.tenant_id)
            .cte("nested", recursive=True)
        )
        child = aliased(ComponentRow)
        tree = tree.union_all(
            sa.select(child.component_id, tree.c.depth + 1).where(
                child.bundle_id == tree.c.id,
                child.tenant_id == self.tenant_id,
                tree.c.depth < MAX_DEPTH,
            )
        )
        rows = await self.session.scalars(sa.select(tree.c.id).distinct())
        return [*wanted, *rows.all()]

    async def lock_bundles(self) -> None:
        """Bundle changes of a tenant take turns, so two concurrent edits cannot make
        a cycle together (transaction-scoped lock)."""
        await self.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"inventory:bundles:{self.tenant_id}"},
        )

    async def page(
        self, filters: ProductFilters, *, limit: int, cursor: str | None
    ) -> Page[ProductRow]:
        stmt = sa.select(ProductRow).where(*self._live())
        if filters.type:
            stmt = stmt.where(ProductRow.type == filters.type)
        if filters.active is not None:
            stmt = stmt.where(ProductRow.active == filters.active)
        if filters.q:
            pattern = f"%{escape_like(filters.q)}%"
            stmt = stmt.where(
                sa.or_(
                    ProductRow.sku.ilike(pattern, escape="\\"),
                    ProductRow.name.ilike(pattern, escape="\\"),
                )
            )
        order = (ProductRow.created_at, ProductRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)
