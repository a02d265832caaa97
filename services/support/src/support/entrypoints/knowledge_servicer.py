"""KnowledgeService servicer: who is calling, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.support.v1 import knowledge_pb2 as pb
from crm.support.v1 import knowledge_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from support import mappers_knowledge as mappers
from support.service_layer import knowledge
from support.service_layer.deps import AccessResolver, SupportDeps

Context: TypeAlias = grpc.aio.ServicerContext


class KnowledgeServicer(knowledge_pb2_grpc.KnowledgeServiceServicer):
    def __init__(self, deps: SupportDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    # ---- categories ----

    async def CreateCategory(
        self, request: pb.CreateCategoryRequest, context: Context
    ) -> pb.Category:
        cmd = mappers.create_category_cmd(request)
        made = await knowledge.create_category(cmd, await self._ctx(), self._deps)
        return mappers.category_to_pb(made)

    async def GetCategory(self, request: pb.GetCategoryRequest, context: Context) -> pb.Category:
        found = await knowledge.get_category(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.category_to_pb(found)

    async def ListCategories(
        self, request: pb.ListCategoriesRequest, context: Context
    ) -> pb.ListCategoriesResponse:
        page = await knowledge.list_categories(
            await self._ctx(), self._deps,
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.category_to_pb(c) for c in page.items]
        return pb.ListCategoriesResponse(items=items, page=mappers.page_to_pb(page))

    async def UpdateCategory(
        self, request: pb.UpdateCategoryRequest, context: Context
    ) -> pb.Category:
        cmd = mappers.update_category_cmd(request)
        changed = await knowledge.update_category(cmd, await self._ctx(), self._deps)
        return mappers.category_to_pb(changed)

    async def DeleteCategory(
        self, request: pb.DeleteCategoryRequest, context: Context
    ) -> pb.DeleteCategoryResponse:
        await knowledge.delete_category(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return pb.DeleteCategoryResponse()

    # ---- articles ----

    async def CreateArticle(self, request: pb.CreateArticleRequest, context: Context) -> pb.Article:
        cmd = mappers.create_article_cmd(request)
        made = await knowledge.create_article(cmd, await self._ctx(), self._deps)
        return mappers.article_to_pb(made)

    async def GetArticle(self, request: pb.GetArticleRequest, context: Context) -> pb.Article:
        found = await knowledge.get_article(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.article_to_pb(found)

    async def ListArticles(
        self, request: pb.ListArticlesRequest, context: Context
    ) -> pb.ListArticlesResponse:
        filters = mappers.article_filters(request)
        page = await knowledge.list_articles(
            await self._ctx(), self._deps, filters,
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.article_to_pb(a) for a in page.items]
        return pb.ListArticlesResponse(items=items, page=mappers.page_to_pb(page))

    async def UpdateArticle(self, request: pb.UpdateArticleRequest, context: Context) -> pb.Article:
        cmd = mappers.update_article_cmd(request)
        changed = await knowledge.update_article(cmd, await self._ctx(), self._deps)
        return mappers.article_to_pb(changed)

    async def DeleteArticle(
        self, request: pb.DeleteArticleRequest, context: Context
    ) -> pb.DeleteArticleResponse:
        await knowledge.delete_article(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return pb.DeleteArticleResponse()

    async def PublishArticle(
        self, request: pb.ArticleActionRequest, context: Context
    ) -> pb.Article:
        moved = await knowledge.publish_article(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return mappers.article_to_pb(moved)

    async def UnpublishArticle(
        self, request: pb.ArticleActionRequest, context: Context
    ) -> pb.Article:
        moved = await knowledge.unpublish_article(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return mappers.article_to_pb(moved)

    # ---- links to cases ----

    async def LinkCase(self, request: pb.LinkCaseRequest, context: Context) -> pb.LinkCaseResponse:
        link = await knowledge.link_case(
            parse_uuid(request.article_id, "article_id"), parse_uuid(request.case_id, "case_id"),
            await self._ctx(), self._deps,
        )  # fmt: skip
        return mappers.link_to_pb(link)

    async def UnlinkCase(
        self, request: pb.UnlinkCaseRequest, context: Context
    ) -> pb.UnlinkCaseResponse:
        await knowledge.unlink_case(
            parse_uuid(request.article_id, "article_id"), parse_uuid(request.case_id, "case_id"),
            await self._ctx(), self._deps,
        )  # fmt: skip
        return pb.UnlinkCaseResponse()
