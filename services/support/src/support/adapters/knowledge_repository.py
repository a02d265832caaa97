"""Queries of FAQ categories, articles and their links to cases, always within
one tenant. Knowledge belongs to the tenant, not to a user: module permissions
decide, so there is no record-level filter on articles. Another tenant's record
is simply *not found*; so is a deleted one.

Pages are keyset pages: articles newest first, search results best match first
(``ts_rank``, then id), categories by position and name. A cursor names its
order (its first value), so one cannot be replayed against another.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import InvalidArgument, NotFound
from crm_common.pagination import Page, clamp_limit, decode_cursor, encode_cursor
from crm_common.recycle_bin import active
from support.adapters.orm_knowledge import (
    SEARCH_CONFIG,
    FaqArticleRow,
    FaqCaseLinkRow,
    FaqCategoryRow,
)
from support.domain.knowledge import PUBLISHED, ArticleFilters

NEWEST, BEST, POSITION = "new", "rank", "pos"


def search_query(q: str) -> sa.ColumnElement[Any]:
    """``websearch_to_tsquery('simple', q)``: words, "phrases", -not, or. The
    configuration is a constant of ours, the text a bound parameter."""
    config: sa.ColumnElement[Any] = sa.literal_column(f"'{SEARCH_CONFIG}'::regconfig")
    return sa.func.websearch_to_tsquery(config, sa.literal(q, sa.Text))


def rank_of(query: sa.ColumnElement[Any]) -> sa.ColumnElement[float]:
    """The match's rank; title lexemes weigh 1.0, body ones 0.4 (the defaults
    for weights A and B)."""
    return sa.func.ts_rank(FaqArticleRow.search_vector, query).cast(sa.Float)


def _after(cursor: str, kind: str, types: Sequence[type]) -> tuple[Any, ...]:
    """The sort key a cursor carries, checked to be of this order and types."""
    values = decode_cursor(cursor, len(types) + 1)
    if values[0] != kind:
        raise InvalidArgument.for_field("cursor", "belongs to another order of the list")
    key = values[1:]
    for value, wanted in zip(key, types, strict=True):
        ok = isinstance(value, wanted) and not (wanted in (int, float) and isinstance(value, bool))
        if wanted is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise InvalidArgument.for_field("cursor", "is not a valid cursor")
    return tuple(key)


class KnowledgeRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # ---- categories ----

    async def category(
        self, category_id: uuid.UUID, *, for_update: bool = False, for_share: bool = False
    ) -> FaqCategoryRow:
        stmt = sa.select(FaqCategoryRow).where(
            FaqCategoryRow.id == category_id,
            FaqCategoryRow.tenant_id == self.tenant_id,
            active(FaqCategoryRow),
        )
        if for_update:
            stmt = stmt.with_for_update()
        elif for_share:
            stmt = stmt.with_for_update(read=True)
        found = await self.session.scalar(stmt)
        if found is None:
            raise NotFound("category not found")
        return found

    async def category_name_taken(self, name: str, *, besides: uuid.UUID | None = None) -> bool:
        stmt = sa.select(FaqCategoryRow.id).where(
            FaqCategoryRow.tenant_id == self.tenant_id,
            active(FaqCategoryRow),
            sa.func.lower(FaqCategoryRow.name) == name.lower(),
        )
        if besides is not None:
            stmt = stmt.where(FaqCategoryRow.id != besides)
        return await self.session.scalar(stmt.limit(1)) is not None

    async def category_in_use(self, category_id: uuid.UUID) -> bool:
        stmt = sa.select(FaqArticleRow.id).where(
            FaqArticleRow.tenant_id == self.tenant_id,
            FaqArticleRow.category_id == category_id,
            active(FaqArticleRow),
        )
        return await self.session.scalar(stmt.limit(1)) is not None

    async def categories(self, *, limit: int, cursor: str | None) -> Page[FaqCategoryRow]:
        limit = clamp_limit(limit)
        model = FaqCategoryRow
        stmt = sa.select(model).where(model.tenant_id == self.tenant_id, active(model))
        key = (model.position, model.name, model.id)
        if cursor:
            after = _after(cursor, POSITION, (int, str, uuid.UUID))
            stmt = stmt.where(sa.tuple_(*key) > sa.tuple_(*after))
        rows = list((await self.session.scalars(stmt.order_by(*key).limit(limit + 1))).all())
        if len(rows) <= limit:
            return Page(rows, None)
        last = rows[limit - 1]
        return Page(rows[:limit], encode_cursor([POSITION, last.position, last.name, last.id]))

    # ---- articles ----

    async def article(
        self, article_id: uuid.UUID, *, for_update: bool = False, published_only: bool = False
    ) -> FaqArticleRow:
        stmt = sa.select(FaqArticleRow).where(
            FaqArticleRow.id == article_id,
            FaqArticleRow.tenant_id == self.tenant_id,
            active(FaqArticleRow),
        )
        if published_only:
            stmt = stmt.where(FaqArticleRow.status == PUBLISHED)
        found = await self.session.scalar(stmt.with_for_update() if for_update else stmt)
        if found is None:
            raise NotFound("article not found")
        return found

    def _filtered(self, filters: ArticleFilters) -> sa.Select[Any]:
        model = FaqArticleRow
        stmt = sa.select(model).where(model.tenant_id == self.tenant_id, active(model))
        if filters.published_only:
            stmt = stmt.where(model.status == PUBLISHED)
        if filters.status:
            stmt = stmt.where(model.status == filters.status)
        if filters.category_id is not None:
            stmt = stmt.where(model.category_id == filters.category_id)
        if filters.language:
            # "en" matches en and en-GB; the tag is normalised, so no LIKE wildcards.
            stmt = stmt.where(
                sa.or_(model.language == filters.language, model.language.startswith(
                    f"{filters.language}-", autoescape=True
                ))
            )  # fmt: skip
        if filters.tag:
            stmt = stmt.where(model.tags.contains([filters.tag]))
        if filters.case_id is not None:
            linked = sa.select(FaqCaseLinkRow.article_id).where(
                FaqCaseLinkRow.tenant_id == self.tenant_id,
                FaqCaseLinkRow.case_id == filters.case_id,
            )
            stmt = stmt.where(model.id.in_(linked))
        return stmt

    async def articles(
        self, filters: ArticleFilters, *, limit: int, cursor: str | None
    ) -> Page[tuple[FaqArticleRow, float | None]]:
        """Each article with its rank (None unless searching)."""
        limit = clamp_limit(limit)
        if filters.q:
            return await self._search(filters, limit=limit, cursor=cursor)
        model = FaqArticleRow
        stmt = self._filtered(filters)
        key = (model.created_at, model.id)
        if cursor:
            after = _after(cursor, NEWEST, (datetime, uuid.UUID))
            stmt = stmt.where(sa.tuple_(*key) < sa.tuple_(*after))
        ordered = stmt.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)
        rows = list((await self.session.scalars(ordered)).all())
        items: list[tuple[FaqArticleRow, float | None]] = [(row, None) for row in rows[:limit]]
        if len(rows) <= limit:
            return Page(items, None)
        last = rows[limit - 1]
        return Page(items, encode_cursor([NEWEST, last.created_at, last.id]))

    async def _search(
        self, filters: ArticleFilters, *, limit: int, cursor: str | None
    ) -> Page[tuple[FaqArticleRow, float | None]]:
        model = FaqArticleRow
        query = search_query(filters.q)
        rank = rank_of(query)
        stmt = (
            self._filtered(filters)
            .add_columns(rank.label("rank"))
            .where(model.search_vector.op("@@")(query))
        )
        if cursor:
            last_rank, last_id = _after(cursor, BEST, (float, uuid.UUID))
            stmt = stmt.where(sa.tuple_(rank, model.id) < sa.tuple_(float(last_rank), last_id))
        ordered = stmt.order_by(rank.desc(), model.id.desc()).limit(limit + 1)
        rows = [(row, float(score)) for row, score in (await self.session.execute(ordered)).all()]
        if len(rows) <= limit:
            return Page(list(rows), None)
        last_row, last_score = rows[limit - 1]
        return Page(list(rows[:limit]), encode_cursor([BEST, last_score, last_row.id]))

    # ---- links to cases ----

    async def link(self, article_id: uuid.UUID, case_id: uuid.UUID) -> FaqCaseLinkRow | None:
        stmt = sa.select(FaqCaseLinkRow).where(
            FaqCaseLinkRow.tenant_id == self.tenant_id,
            FaqCaseLinkRow.article_id == article_id,
            FaqCaseLinkRow.case_id == case_id,
        )
        found: FaqCaseLinkRow | None = await self.session.scalar(stmt)
        return found

    async def add_link(
        self, article_id: uuid.UUID, case_id: uuid.UUID, actor: uuid.UUID | None
    ) -> bool:
        """True when the link is new; a concurrent or earlier one is kept."""
        stmt = (
            insert(FaqCaseLinkRow)
            .values(
                article_id=article_id,
                case_id=case_id,
                tenant_id=self.tenant_id,
                created_by=actor,
            )
            .on_conflict_do_nothing(index_elements=["article_id", "case_id"])
            .returning(FaqCaseLinkRow.article_id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def remove_link(self, article_id: uuid.UUID, case_id: uuid.UUID) -> bool:
        stmt = sa.delete(FaqCaseLinkRow).where(
            FaqCaseLinkRow.tenant_id == self.tenant_id,
            FaqCaseLinkRow.article_id == article_id,
            FaqCaseLinkRow.case_id == case_id,
        )
        result = await self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0))
