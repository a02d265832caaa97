"""FAQ / knowledge base articles (the support service decides access, module
knowledge_base): categories at ``/faqs/categories``, articles at ``/faqs`` with
full-text search (``q``), publishing, and links to cases. This router only
parses, calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.support.v1 import knowledge_pb2 as pb
from gateway import mappers_knowledge as mappers
from gateway.deps import KnowledgeStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.knowledge import (
    ArticleAction,
    ArticleCreate,
    ArticlePage,
    ArticleRead,
    ArticleStatus,
    ArticleUpdate,
    CaseLinkCreate,
    CaseLinkRead,
    CategoryCreate,
    CategoryPage,
    CategoryRead,
    CategoryUpdate,
)

router = APIRouter(prefix="/faqs", tags=["knowledge base"], dependencies=[RequireUser])

ArticleId = Annotated[UUID, Path(alias="id", description="The article's id (UUID)")]
CategoryId = Annotated[UUID, Path(alias="id", description="The category's id (UUID)")]
CaseId = Annotated[UUID, Path(alias="case_id", description="The case's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
Limit = Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)]


def _tagged(response: Response, record: ArticleRead | CategoryRead) -> None:
    response.headers["ETag"] = etag(record.version)


# ---- categories (declared before /{id}, which they would otherwise match) ----


@router.get("/categories", responses=problem_responses(401, 403, 422), summary="FAQ categories")
async def list_categories(
    knowledge: KnowledgeStub,
    *,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> CategoryPage:
    request = mappers.list_categories_request(limit, cursor)
    return mappers.category_page(await knowledge.ListCategories(request))


@router.post(
    "/categories",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Add a category",
)
async def create_category(
    body: CategoryCreate, knowledge: KnowledgeStub, response: Response
) -> CategoryRead:
    made = await knowledge.CreateCategory(mappers.create_category_request(body))
    category = mappers.category_read(made)
    response.headers["Location"] = f"{API_PREFIX}/faqs/categories/{category.id}"
    _tagged(response, category)
    return category


@router.get(
    "/categories/{id}", responses=problem_responses(401, 403, 404, 422), summary="One category"
)
async def get_category(
    category_id: CategoryId, knowledge: KnowledgeStub, response: Response
) -> CategoryRead:
    found = await knowledge.GetCategory(pb.GetCategoryRequest(id=str(category_id)))
    category = mappers.category_read(found)
    _tagged(response, category)
    return category


@router.patch(
    "/categories/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body",
)
async def update_category(
    category_id: CategoryId,
    body: CategoryUpdate,
    knowledge: KnowledgeStub,
    response: Response,
    if_match: IfMatch = None,
) -> CategoryRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_category_request(str(category_id), body, version)
    category = mappers.category_read(await knowledge.UpdateCategory(request))
    _tagged(response, category)
    return category


@router.delete(
    "/categories/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete an empty category",
)
async def delete_category(
    category_id: CategoryId, knowledge: KnowledgeStub, if_match: IfMatch = None
) -> Response:
    version = expected_version(if_match, None)
    request = pb.DeleteCategoryRequest(id=str(category_id), expected_version=version)
    await knowledge.DeleteCategory(request)
    return Response(status_code=204)


# ---- articles ----


@router.get(
    "",
    responses=problem_responses(401, 403, 404, 422),
    summary="Articles; with q: full-text search, best match first",
)
async def list_articles(
    knowledge: KnowledgeStub,
    *,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description='Search title and body: words, "a phrase", -not, or (any language)',
        ),
    ] = None,
    status: ArticleStatus | None = None,
    category_id: UUID | None = None,
    language: Annotated[
        str | None, Query(max_length=35, description="en matches en and en-GB")
    ] = None,
    case_id: Annotated[
        UUID | None, Query(description="The articles linked to this case (404 if not visible)")
    ] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
) -> ArticlePage:
    """Readers who may only view see published articles; editors also drafts
    and archived ones."""
    request = mappers.list_articles_request(
        limit, cursor, q=q, status=status, category_id=category_id, language=language,
        case_id=case_id, tag=tag,
    )  # fmt: skip
    ranked = bool(q and q.strip())
    return mappers.article_page(await knowledge.ListArticles(request), ranked=ranked)


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Write an article (a draft unless status says otherwise)",
)
async def create_article(
    body: ArticleCreate, knowledge: KnowledgeStub, response: Response
) -> ArticleRead:
    article = mappers.article_read(
        await knowledge.CreateArticle(mappers.create_article_request(body))
    )
    response.headers["Location"] = f"{API_PREFIX}/faqs/{article.id}"
    _tagged(response, article)
    return article


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One article")
async def get_article(
    article_id: ArticleId, knowledge: KnowledgeStub, response: Response
) -> ArticleRead:
    article = mappers.article_read(
        await knowledge.GetArticle(pb.GetArticleRequest(id=str(article_id)))
    )
    _tagged(response, article)
    return article


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body",
)
async def update_article(
    article_id: ArticleId,
    body: ArticleUpdate,
    knowledge: KnowledgeStub,
    response: Response,
    if_match: IfMatch = None,
) -> ArticleRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_article_request(str(article_id), body, version)
    article = mappers.article_read(await knowledge.UpdateArticle(request))
    _tagged(response, article)
    return article


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete the article",
)
async def delete_article(
    article_id: ArticleId, knowledge: KnowledgeStub, if_match: IfMatch = None
) -> Response:
    version = expected_version(if_match, None)
    request = pb.DeleteArticleRequest(id=str(article_id), expected_version=version)
    await knowledge.DeleteArticle(request)
    return Response(status_code=204)


@router.post(
    "/{id}/publish",
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Publish: readers see it from now on",
)
async def publish_article(
    article_id: ArticleId,
    knowledge: KnowledgeStub,
    response: Response,
    body: ArticleAction | None = None,
    if_match: IfMatch = None,
) -> ArticleRead:
    version = expected_version(if_match, body.version if body else None)
    request = pb.ArticleActionRequest(id=str(article_id), expected_version=version)
    article = mappers.article_read(await knowledge.PublishArticle(request))
    _tagged(response, article)
    return article


@router.post(
    "/{id}/unpublish",
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Back to draft (409 unless published)",
)
async def unpublish_article(
    article_id: ArticleId,
    knowledge: KnowledgeStub,
    response: Response,
    body: ArticleAction | None = None,
    if_match: IfMatch = None,
) -> ArticleRead:
    version = expected_version(if_match, body.version if body else None)
    request = pb.ArticleActionRequest(id=str(article_id), expected_version=version)
    article = mappers.article_read(await knowledge.UnpublishArticle(request))
    _tagged(response, article)
    return article


# ---- links to cases ----


@router.post(
    "/{id}/cases",
    status_code=201,
    responses=problem_responses(401, 403, 404, 413, 422),
    summary="Link the article to a case (200 when linked already)",
)
async def link_case(
    article_id: ArticleId, body: CaseLinkCreate, knowledge: KnowledgeStub, response: Response
) -> CaseLinkRead:
    request = pb.LinkCaseRequest(article_id=str(article_id), case_id=str(body.case_id))
    linked = await knowledge.LinkCase(request)
    if not linked.created:
        response.status_code = 200
    return mappers.link_read(linked)


@router.delete(
    "/{id}/cases/{case_id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 422),
    summary="Unlink the article from a case",
)
async def unlink_case(article_id: ArticleId, case_id: CaseId, knowledge: KnowledgeStub) -> Response:
    request = pb.UnlinkCaseRequest(article_id=str(article_id), case_id=str(case_id))
    await knowledge.UnlinkCase(request)
    return Response(status_code=204)
