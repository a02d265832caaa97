"""DealService servicer: parse, resolve the caller's access, call a handler, map."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeAlias

import grpc

from crm.sales.v1 import deals_pb2 as pb
from crm.sales.v1 import deals_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from sales import mappers_csv, mappers_pipelines
from sales import mappers_deals as mappers
from sales.mappers import page_to_pb
from sales.service_layer import deal_board, deal_csv, deal_parts, deals, pipelines, recycle_bin
from sales.service_layer.deps import AccessResolver, SalesDeps

Context: TypeAlias = grpc.aio.ServicerContext


class DealServicer(deals_pb2_grpc.DealServiceServicer):
    def __init__(self, deps: SalesDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    # ---- pipelines ----

    async def ListPipelines(
        self, request: pb.ListPipelinesRequest, context: Context
    ) -> pb.ListPipelinesResponse:
        found = await pipelines.list_pipelines(await self._ctx(), self._deps)
        return pb.ListPipelinesResponse(items=[mappers_pipelines.pipeline_to_pb(p) for p in found])

    async def GetPipeline(self, request: pb.GetPipelineRequest, context: Context) -> pb.Pipeline:
        found = await pipelines.get_pipeline(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers_pipelines.pipeline_to_pb(found)

    async def CreatePipeline(
        self, request: pb.CreatePipelineRequest, context: Context
    ) -> pb.Pipeline:
        cmd = mappers_pipelines.create_pipeline_cmd(request)
        return mappers_pipelines.pipeline_to_pb(
            await pipelines.create_pipeline(cmd, await self._ctx(), self._deps)
        )

    async def UpdatePipeline(
        self, request: pb.UpdatePipelineRequest, context: Context
    ) -> pb.Pipeline:
        cmd = mappers_pipelines.update_pipeline_cmd(request)
        return mappers_pipelines.pipeline_to_pb(
            await pipelines.update_pipeline(cmd, await self._ctx(), self._deps)
        )

    # ---- deals ----

    async def CreateDeal(self, request: pb.CreateDealRequest, context: Context) -> pb.Deal:
        cmd = mappers.create_deal_cmd(request)
        return mappers.deal_to_pb(await deals.create_deal(cmd, await self._ctx(), self._deps))

    async def GetDeal(self, request: pb.GetDealRequest, context: Context) -> pb.Deal:
        deal = await deals.get_deal(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.deal_to_pb(deal)

    async def ListDeals(
        self, request: pb.ListDealsRequest, context: Context
    ) -> pb.ListDealsResponse:
        page = await deals.list_deals(
            await self._ctx(),
            self._deps,
            mappers.deal_filters(request),
            sort=request.sort,
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListDealsResponse(
            items=[mappers.deal_to_pb(d) for d in page.items], page=page_to_pb(page)
        )

    async def UpdateDeal(self, request: pb.UpdateDealRequest, context: Context) -> pb.Deal:
        cmd = mappers.update_deal_cmd(request)
        return mappers.deal_to_pb(await deals.update_deal(cmd, await self._ctx(), self._deps))

    async def DeleteDeal(
        self, request: pb.DeleteDealRequest, context: Context
    ) -> pb.DeleteDealResponse:
        deal_id = parse_uuid(request.id)
        await deals.delete_deal(deal_id, request.expected_version, await self._ctx(), self._deps)
        return pb.DeleteDealResponse()

    async def RestoreDeal(self, request: pb.RestoreDealRequest, context: Context) -> pb.Deal:
        deal = await recycle_bin.restore_deal(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.deal_to_pb(deal)

    async def SetContactRoles(
        self, request: pb.SetContactRolesRequest, context: Context
    ) -> pb.Deal:
        cmd = mappers.contact_roles_cmd(request)
        deal = await deal_parts.set_contact_roles(cmd, await self._ctx(), self._deps)
        return mappers.deal_to_pb(deal)

    async def SetSplits(self, request: pb.SetSplitsRequest, context: Context) -> pb.Deal:
        cmd = mappers.splits_cmd(request)
        return mappers.deal_to_pb(await deal_parts.set_splits(cmd, await self._ctx(), self._deps))

    async def GetDealBoard(self, request: pb.GetDealBoardRequest, context: Context) -> pb.DealBoard:
        query = mappers_pipelines.board_query(request)
        board = await deal_board.get_board(query, await self._ctx(), self._deps)
        return mappers_pipelines.board_to_pb(board)

    # ---- CSV ----

    async def ExportDeals(
        self, request: pb.ExportDealsRequest, context: Context
    ) -> AsyncIterator[pb.DealExportRow]:
        filters = mappers.deal_filters(request)
        async for row in deal_csv.export_deals(await self._ctx(), self._deps, filters):
            yield mappers_csv.deal_row_to_pb(row)

    async def ImportDeals(
        self, request: pb.ImportDealsRequest, context: Context
    ) -> pb.ImportDealsResponse:
        ids = await deal_csv.import_deals(request.csv, await self._ctx(), self._deps)
        return pb.ImportDealsResponse(ids=[str(i) for i in ids])
