"""StockService servicer: parse, resolve the caller's access, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.inventory.v1 import stock_pb2 as pb
from crm.inventory.v1 import stock_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from inventory import mappers_stock as mappers
from inventory.mappers import page_to_pb
from inventory.service_layer import assets, delivery_notes, stock_levels, warehouses
from inventory.service_layer.deps import AccessResolver, InventoryDeps

Context: TypeAlias = grpc.aio.ServicerContext


class StockServicer(stock_pb2_grpc.StockServiceServicer):
    def __init__(self, deps: InventoryDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    # ---- warehouses ----

    async def CreateWarehouse(
        self, request: pb.CreateWarehouseRequest, context: Context
    ) -> pb.Warehouse:
        cmd = mappers.create_warehouse_cmd(request)
        row = await warehouses.create_warehouse(cmd, await self._ctx(), self._deps)
        return mappers.warehouse_to_pb(row)

    async def GetWarehouse(self, request: pb.GetWarehouseRequest, context: Context) -> pb.Warehouse:
        warehouse_id = parse_uuid(request.id)
        row = await warehouses.get_warehouse(warehouse_id, await self._ctx(), self._deps)
        return mappers.warehouse_to_pb(row)

    async def ListWarehouses(
        self, request: pb.ListWarehousesRequest, context: Context
    ) -> pb.ListWarehousesResponse:
        page = await warehouses.list_warehouses(
            await self._ctx(), self._deps,
            active=request.active if request.HasField("active") else None,
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.warehouse_to_pb(row) for row in page.items]
        return pb.ListWarehousesResponse(items=items, page=page_to_pb(page))

    async def UpdateWarehouse(
        self, request: pb.UpdateWarehouseRequest, context: Context
    ) -> pb.Warehouse:
        cmd = mappers.update_warehouse_cmd(request)
        row = await warehouses.update_warehouse(cmd, await self._ctx(), self._deps)
        return mappers.warehouse_to_pb(row)

    # ---- levels, ledger, adjustments ----

    async def ListStockLevels(
        self, request: pb.ListStockLevelsRequest, context: Context
    ) -> pb.ListStockLevelsResponse:
        page = await stock_levels.list_levels(
            await self._ctx(), self._deps, mappers.level_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.level_to_pb(level) for level in page.items]
        return pb.ListStockLevelsResponse(items=items, page=page_to_pb(page))

    async def ListStockMovements(
        self, request: pb.ListStockMovementsRequest, context: Context
    ) -> pb.ListStockMovementsResponse:
        page = await stock_levels.list_movements(
            await self._ctx(), self._deps,
            product_id=mappers.optional_uuid(request.product_id, "product_id"),
            warehouse_id=mappers.optional_uuid(request.warehouse_id, "warehouse_id"),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.movement_to_pb(row) for row in page.items]
        return pb.ListStockMovementsResponse(items=items, page=page_to_pb(page))

    async def AdjustStock(self, request: pb.AdjustStockRequest, context: Context) -> pb.StockLevel:
        cmd = mappers.adjust_cmd(request)
        level = await stock_levels.adjust_stock(cmd, await self._ctx(), self._deps)
        return mappers.level_to_pb(level)

    # ---- delivery notes, assets ----

    async def CreateDeliveryNote(
        self, request: pb.CreateDeliveryNoteRequest, context: Context
    ) -> pb.DeliveryNote:
        cmd = mappers.delivery_cmd(request)
        note = await delivery_notes.create_delivery_note(cmd, await self._ctx(), self._deps)
        return mappers.delivery_note_to_pb(note)

    async def GetDeliveryNote(
        self, request: pb.GetDeliveryNoteRequest, context: Context
    ) -> pb.DeliveryNote:
        note_id = parse_uuid(request.id)
        note = await delivery_notes.get_delivery_note(note_id, await self._ctx(), self._deps)
        return mappers.delivery_note_to_pb(note)

    async def ListDeliveryNotes(
        self, request: pb.ListDeliveryNotesRequest, context: Context
    ) -> pb.ListDeliveryNotesResponse:
        page = await delivery_notes.list_delivery_notes(
            await self._ctx(), self._deps,
            order_id=mappers.optional_uuid(request.order_id, "order_id"),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.delivery_note_to_pb(row) for row in page.items]
        return pb.ListDeliveryNotesResponse(items=items, page=page_to_pb(page))

    async def GetAsset(self, request: pb.GetAssetRequest, context: Context) -> pb.Asset:
        asset = await assets.get_asset(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.asset_to_pb(asset)

    async def ListAssets(
        self, request: pb.ListAssetsRequest, context: Context
    ) -> pb.ListAssetsResponse:
        page = await assets.list_assets(
            await self._ctx(), self._deps,
            account_id=mappers.optional_uuid(request.account_id, "account_id"),
            product_id=mappers.optional_uuid(request.product_id, "product_id"),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.asset_to_pb(row) for row in page.items]
        return pb.ListAssetsResponse(items=items, page=page_to_pb(page))
