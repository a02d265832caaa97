"""Knowledge base: FAQ categories and articles, full-text search, publishing,
links to cases.

Knowledge belongs to the tenant: module ``knowledge_base`` decides, there is no
record owner. Readers who may neither create nor edit articles see published
ones only (a draft is *not found* for them). Linking needs the case to be
visible to the caller on module ``cases``. One unit of work per handler.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm_common.access import (
    AccessContext,
    can,
    check_writable_fields,
    hidden_fields,
    require,
)
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    VersionConflict,
)
from crm_common.pagination import Page
from support.adapters.insights_queries import case_visible
from support.adapters.knowledge_repository import KnowledgeRepository
from support.adapters.orm_knowledge import (
    CATEGORY_NAME_INDEX,
    FaqArticleRow,
    FaqCaseLinkRow,
    FaqCategoryRow,
)
from support.domain import knowledge as rules
from support.domain.knowledge import KNOWLEDGE_BASE, ArticleFilters
from support.service_layer.deps import SupportDeps

NEW_ARTICLE_DEFAULTS: dict[str, Any] = {
    "body": "",
    "category_id": None,
    "status": rules.DRAFT,
    "language": rules.DEFAULT_LANGUAGE,
    "tags": [],
}
NEW_CATEGORY_DEFAULTS: dict[str, Any] = {"description": "", "position": 0}


@dataclass(frozen=True)
class NewRecord:
    """The fields the caller gave (parsed from the wire)."""

    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordChanges:
    record_id: uuid.UUID
    changes: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int = 0  # 0: no check


@dataclass(frozen=True)
class VisibleCategory:
    row: FaqCategoryRow
    hidden: frozenset[str]


@dataclass(frozen=True)
class VisibleArticle:
    row: FaqArticleRow
    hidden: frozenset[str]
    rank: float | None = None


@dataclass(frozen=True)
class CaseLink:
    row: FaqCaseLinkRow
    created: bool


def _tenant(ctx: AccessContext) -> uuid.UUID:
    return uuid.UUID(ctx.tenant_id)


def _actor(ctx: AccessContext) -> uuid.UUID | None:
    return uuid.UUID(ctx.user_id) if ctx.user_id else None


def is_editor(ctx: AccessContext) -> bool:
    """Editors (create or edit) also see drafts and archived articles."""
    return can(ctx, KNOWLEDGE_BASE, "create") or can(ctx, KNOWLEDGE_BASE, "edit")


def _check_version(expected: int, row: FaqArticleRow | FaqCategoryRow) -> None:
    if expected and expected != row.version:
        raise VersionConflict(f"record is at version {row.version}")


async def _commit(uow: UnitOfWork) -> None:
    """Commit; a stale version is 409 (ABORTED), a category name taken by a
    concurrent writer is 409 naming ``name``."""
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("the record changed concurrently; read it again") from exc
    except IntegrityError as exc:
        if CATEGORY_NAME_INDEX in str(exc.orig):
            raise AlreadyExists("a category with this name exists", field="name") from exc
        raise


def _article(row: FaqArticleRow, ctx: AccessContext, rank: float | None = None) -> VisibleArticle:
    return VisibleArticle(row, hidden_fields(ctx, KNOWLEDGE_BASE), rank)


def _category(row: FaqCategoryRow, ctx: AccessContext) -> VisibleCategory:
    return VisibleCategory(row, hidden_fields(ctx, KNOWLEDGE_BASE))


# ---- categories ----


async def create_category(cmd: NewRecord, ctx: AccessContext, deps: SupportDeps) -> VisibleCategory:
    require(ctx, KNOWLEDGE_BASE, "create")
    check_writable_fields(ctx, KNOWLEDGE_BASE, cmd.values)
    values = {**NEW_CATEGORY_DEFAULTS, **rules.clean_category(cmd.values)}
    rules.validate_category(values, values)
    async with deps.uow() as uow:
        repo = KnowledgeRepository(uow.session, _tenant(ctx))
        if await repo.category_name_taken(values["name"]):
            raise AlreadyExists("a category with this name exists", field="name")
        row = FaqCategoryRow(id=uuid.uuid4(), tenant_id=_tenant(ctx), created_by=_actor(ctx))
        _assign(row, values, ctx)
        uow.session.add(row)
        await _commit(uow)
    return _category(row, ctx)


async def get_category(
    category_id: uuid.UUID, ctx: AccessContext, deps: SupportDeps
) -> VisibleCategory:
    require(ctx, KNOWLEDGE_BASE, "view")
    async with deps.uow() as uow:
        row = await KnowledgeRepository(uow.session, _tenant(ctx)).category(category_id)
    return _category(row, ctx)


async def list_categories(
    ctx: AccessContext, deps: SupportDeps, *, limit: int, cursor: str | None
) -> Page[VisibleCategory]:
    require(ctx, KNOWLEDGE_BASE, "view")
    async with deps.uow() as uow:
        page = await KnowledgeRepository(uow.session, _tenant(ctx)).categories(
            limit=limit, cursor=cursor
        )
    return Page([_category(row, ctx) for row in page.items], page.next_cursor)


async def update_category(
    cmd: RecordChanges, ctx: AccessContext, deps: SupportDeps
) -> VisibleCategory:
    require(ctx, KNOWLEDGE_BASE, "edit")
    check_writable_fields(ctx, KNOWLEDGE_BASE, cmd.changes)
    changes = rules.clean_category(cmd.changes)
    async with deps.uow() as uow:
        repo = KnowledgeRepository(uow.session, _tenant(ctx))
        row = await repo.category(cmd.record_id, for_update=True)
        _check_version(cmd.expected_version, row)
        rules.validate_category(changes, {"name": row.name, **changes})
        if "name" in changes and await repo.category_name_taken(changes["name"], besides=row.id):
            raise AlreadyExists("a category with this name exists", field="name")
        _assign(row, changes, ctx)
        await _commit(uow)
    return _category(row, ctx)


async def delete_category(
    category_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: SupportDeps
) -> None:
    require(ctx, KNOWLEDGE_BASE, "delete")
    async with deps.uow() as uow:
        repo = KnowledgeRepository(uow.session, _tenant(ctx))
        row = await repo.category(category_id, for_update=True)
        _check_version(expected_version, row)
        if await repo.category_in_use(row.id):
            raise FailedPrecondition("the category still has articles; move or delete them first")
        row.deleted_at = utcnow()
        row.updated_by = _actor(ctx)
        await _commit(uow)


# ---- articles ----


async def _check_category(repo: KnowledgeRepository, category_id: uuid.UUID | None) -> None:
    """A live category of the tenant, kept from being deleted until commit."""
    if category_id is None:
        return
    try:
        await repo.category(category_id, for_share=True)
    except NotFound as exc:
        raise InvalidArgument.for_field("category_id", "no such category") from exc


async def create_article(cmd: NewRecord, ctx: AccessContext, deps: SupportDeps) -> VisibleArticle:
    require(ctx, KNOWLEDGE_BASE, "create")
    check_writable_fields(ctx, KNOWLEDGE_BASE, cmd.values)
    values = {**NEW_ARTICLE_DEFAULTS, **rules.clean_article(cmd.values)}
    rules.validate_article(values, values)
    now = utcnow()
    moved = rules.move_to(rules.DRAFT, None, values.pop("status"), now)
    async with deps.uow() as uow:
        repo = KnowledgeRepository(uow.session, _tenant(ctx))
        await _check_category(repo, values["category_id"])
        row = FaqArticleRow(id=uuid.uuid4(), tenant_id=_tenant(ctx), created_by=_actor(ctx))
        _assign(row, {**values, "status": moved.status, "published_at": moved.published_at}, ctx)
        uow.session.add(row)
        await _commit(uow)
    return _article(row, ctx)


async def get_article(
    article_id: uuid.UUID, ctx: AccessContext, deps: SupportDeps
) -> VisibleArticle:
    require(ctx, KNOWLEDGE_BASE, "view")
    async with deps.uow() as uow:
        repo = KnowledgeRepository(uow.session, _tenant(ctx))
        row = await repo.article(article_id, published_only=not is_editor(ctx))
    return _article(row, ctx)


async def list_articles(
    ctx: AccessContext,
    deps: SupportDeps,
    filters: ArticleFilters,
    *,
    limit: int,
    cursor: str | None,
) -> Page[VisibleArticle]:
    require(ctx, KNOWLEDGE_BASE, "view")
    filters = replace(filters, published_only=not is_editor(ctx))
    async with deps.uow() as uow:
        if filters.case_id is not None:
            require(ctx, rules.CASES, "view")
            if not await case_visible(uow.session, ctx, filters.case_id):
                raise NotFound("case not found")
        repo = KnowledgeRepository(uow.session, _tenant(ctx))
        page = await repo.articles(filters, limit=limit, cursor=cursor)
    return Page([_article(row, ctx, rank) for row, rank in page.items], page.next_cursor)


async def update_article(
    cmd: RecordChanges, ctx: AccessContext, deps: SupportDeps
) -> VisibleArticle:
    require(ctx, KNOWLEDGE_BASE, "edit")
    check_writable_fields(ctx, KNOWLEDGE_BASE, cmd.changes)
    changes = rules.clean_article(cmd.changes)
    async with deps.uow() as uow:
        repo = KnowledgeRepository(uow.session, _tenant(ctx))
        row = await repo.article(cmd.record_id, for_update=True)
        _check_version(cmd.expected_version, row)
        rules.validate_article(changes, {"title": row.title, **changes})
        if "category_id" in changes:
            await _check_category(repo, changes["category_id"])
        if "status" in changes:
            moved = rules.move_to(row.status, row.published_at, changes.pop("status"), utcnow())
            changes = {**changes, "status": moved.status, "published_at": moved.published_at}
        _assign(row, changes, ctx)
        await _commit(uow)
    return _article(row, ctx)


async def delete_article(
    article_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: SupportDeps
) -> None:
    require(ctx, KNOWLEDGE_BASE, "delete")
    async with deps.uow() as uow:
        row = await KnowledgeRepository(uow.session, _tenant(ctx)).article(
            article_id, for_update=True
        )
        _check_version(expected_version, row)
        row.deleted_at = utcnow()
        row.updated_by = _actor(ctx)
        await _commit(uow)


async def publish_article(
    article_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: SupportDeps
) -> VisibleArticle:
    return await _move(article_id, expected_version, ctx, deps, publish=True)


async def unpublish_article(
    article_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: SupportDeps
) -> VisibleArticle:
    return await _move(article_id, expected_version, ctx, deps, publish=False)


async def _move(
    article_id: uuid.UUID,
    expected_version: int,
    ctx: AccessContext,
    deps: SupportDeps,
    *,
    publish: bool,
) -> VisibleArticle:
    require(ctx, KNOWLEDGE_BASE, "edit")
    check_writable_fields(ctx, KNOWLEDGE_BASE, ["status"])
    async with deps.uow() as uow:
        repo = KnowledgeRepository(uow.session, _tenant(ctx))
        row = await repo.article(article_id, for_update=True)
        _check_version(expected_version, row)
        now = utcnow()
        if publish:
            moved = rules.move_to(row.status, row.published_at, rules.PUBLISHED, now)
        else:
            moved = rules.unpublish(row.status, row.published_at, now)
        if (moved.status, moved.published_at) != (row.status, row.published_at):
            _assign(row, {"status": moved.status, "published_at": moved.published_at}, ctx)
            await _commit(uow)
    return _article(row, ctx)


# ---- links to cases ----


async def link_case(
    article_id: uuid.UUID, case_id: uuid.UUID, ctx: AccessContext, deps: SupportDeps
) -> CaseLink:
    require(ctx, KNOWLEDGE_BASE, "edit")
    require(ctx, rules.CASES, "view")
    async with deps.uow() as uow:
        repo = KnowledgeRepository(uow.session, _tenant(ctx))
        await repo.article(article_id)
        if not await case_visible(uow.session, ctx, case_id):
            raise NotFound("case not found")
        created = await repo.add_link(article_id, case_id, _actor(ctx))
        link = await repo.link(article_id, case_id)
        await _commit(uow)
    assert link is not None  # just inserted, or there already
    return CaseLink(link, created)


async def unlink_case(
    article_id: uuid.UUID, case_id: uuid.UUID, ctx: AccessContext, deps: SupportDeps
) -> None:
    require(ctx, KNOWLEDGE_BASE, "edit")
    async with deps.uow() as uow:
        repo = KnowledgeRepository(uow.session, _tenant(ctx))
        await repo.article(article_id)
        if not await repo.remove_link(article_id, case_id):
            raise NotFound("the article is not linked to this case")
        await _commit(uow)


def _assign(
    row: FaqArticleRow | FaqCategoryRow, values: Mapping[str, Any], ctx: AccessContext
) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = _actor(ctx)
