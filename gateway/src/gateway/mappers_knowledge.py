"""Knowledge base and help-desk insights: pb2 <-> schema conversion, the one
place for them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from google.protobuf.message import Message

from crm.support.v1 import insights_pb2 as ipb
from crm.support.v1 import knowledge_pb2 as pb
from gateway.mappers import page_request
from gateway.proto_json import plain
from gateway.schemas.insights import HelpDeskInsights
from gateway.schemas.knowledge import (
    ArticleCreate,
    ArticlePage,
    ArticleRead,
    ArticleUpdate,
    CaseLinkRead,
    CategoryCreate,
    CategoryPage,
    CategoryRead,
    CategoryUpdate,
)

# Empty strings on the wire that are "none" in JSON.
OPTIONAL = frozenset({"category_id", "created_by", "updated_by", "group_id", "id"})
CATEGORY_UPDATABLE = ("name", "description", "position")
ARTICLE_UPDATABLE = ("title", "body", "category_id", "status", "language", "tags")


def _plain(message: Message) -> dict[str, Any]:
    return plain(message, OPTIONAL - {"id"})


# ---- categories ----


def create_category_request(body: CategoryCreate) -> pb.CreateCategoryRequest:
    return pb.CreateCategoryRequest(**body.model_dump(exclude_none=True))


def update_category_request(
    category_id: str, body: CategoryUpdate, expected_version: int
) -> pb.UpdateCategoryRequest:
    present = [name for name in CATEGORY_UPDATABLE if name in body.model_fields_set]
    values = {name: getattr(body, name) for name in present}
    return pb.UpdateCategoryRequest(
        id=category_id, update_mask=present, expected_version=expected_version, **values
    )


def list_categories_request(limit: int, cursor: str | None) -> pb.ListCategoriesRequest:
    return pb.ListCategoriesRequest(page=page_request(limit, cursor))


def category_read(message: pb.Category) -> CategoryRead:
    return CategoryRead.model_validate(_plain(message))


def category_page(response: pb.ListCategoriesResponse) -> CategoryPage:
    items = [category_read(c) for c in response.items]
    return CategoryPage(items=items, next_cursor=response.page.next_cursor or None)


# ---- articles ----


def create_article_request(body: ArticleCreate) -> pb.CreateArticleRequest:
    values = body.model_dump(exclude_none=True)
    if body.category_id is not None:
        values["category_id"] = str(body.category_id)
    return pb.CreateArticleRequest(**values)


def update_article_request(
    article_id: str, body: ArticleUpdate, expected_version: int
) -> pb.UpdateArticleRequest:
    present = [name for name in ARTICLE_UPDATABLE if name in body.model_fields_set]
    values: dict[str, Any] = {name: getattr(body, name) for name in present}
    if "category_id" in values:
        values["category_id"] = str(values["category_id"])
    return pb.UpdateArticleRequest(
        id=article_id, update_mask=present, expected_version=expected_version, **values
    )


def list_articles_request(
    limit: int,
    cursor: str | None,
    *,
    q: str | None,
    status: str | None,
    category_id: UUID | None,
    language: str | None,
    case_id: UUID | None,
    tag: str | None,
) -> pb.ListArticlesRequest:
    return pb.ListArticlesRequest(
        page=page_request(limit, cursor), q=q or "", status=status or "",
        category_id=str(category_id or ""), language=language or "",
        case_id=str(case_id or ""), tag=tag or "",
    )  # fmt: skip


def article_read(message: pb.Article, *, ranked: bool = False) -> ArticleRead:
    data = _plain(message)
    if not ranked:
        data["rank"] = None
    return ArticleRead.model_validate(data)


def article_page(response: pb.ListArticlesResponse, *, ranked: bool) -> ArticlePage:
    items = [article_read(a, ranked=ranked) for a in response.items]
    return ArticlePage(items=items, next_cursor=response.page.next_cursor or None)


def link_read(response: pb.LinkCaseResponse) -> CaseLinkRead:
    return CaseLinkRead.model_validate(_plain(response.link))


# ---- insights ----


def insights_request(
    from_: str | None, to: str | None, group_id: UUID | None
) -> ipb.HelpDeskInsightsRequest:
    return ipb.HelpDeskInsightsRequest(
        from_time=from_ or "", to_time=to or "", group_id=str(group_id or "")
    )


def insights_read(message: ipb.HelpDeskInsights) -> HelpDeskInsights:
    data = plain(message, OPTIONAL)
    # Unset optional figures (no cases) are null; proto3 leaves them out.
    data["from"] = data.pop("from_time")
    data["to"] = data.pop("to_time")
    return HelpDeskInsights.model_validate(data)
