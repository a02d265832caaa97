"""Warehouses, stock, delivery notes and assets: pb2 <-> schema conversion, the
one place for them."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from crm.inventory.v1 import stock_pb2 as pb
from gateway.mappers import page_request
from gateway.proto_json import plain
from gateway.schemas.stock import (
    AdjustmentCreate,
    AssetPage,
    AssetRead,
    DeliveryNoteCreate,
    DeliveryNotePage,
    DeliveryNoteRead,
    MovementPage,
    MovementRead,
    StockLevelPage,
    StockLevelRead,
    WarehouseCreate,
    WarehousePage,
    WarehouseRead,
    WarehouseUpdate,
)

# Empty strings on the wire that are "none" in JSON.
OPTIONAL = frozenset({"created_by", "updated_by", "reference_id", "by", "account_id", "order_id"})
WAREHOUSE_UPDATABLE = ("code", "name", "address", "active")


def _plain(message: Message) -> dict[str, Any]:
    return plain(message, OPTIONAL)


def create_warehouse_request(body: WarehouseCreate) -> pb.CreateWarehouseRequest:
    return pb.CreateWarehouseRequest(**body.model_dump())


def update_warehouse_request(
    warehouse_id: str, body: WarehouseUpdate, expected_version: int
) -> pb.UpdateWarehouseRequest:
    present = [name for name in WAREHOUSE_UPDATABLE if name in body.model_fields_set]
    values = {name: getattr(body, name) for name in present}
    return pb.UpdateWarehouseRequest(
        id=warehouse_id, update_mask=present, expected_version=expected_version, **values
    )


def list_warehouses_request(
    limit: int, cursor: str | None, active: bool | None
) -> pb.ListWarehousesRequest:
    request = pb.ListWarehousesRequest(page=page_request(limit, cursor))
    if active is not None:
        request.active = active
    return request


def warehouse_read(message: pb.Warehouse) -> WarehouseRead:
    return WarehouseRead.model_validate(_plain(message))


def warehouse_page(response: pb.ListWarehousesResponse) -> WarehousePage:
    items = [warehouse_read(w) for w in response.items]
    return WarehousePage(items=items, next_cursor=response.page.next_cursor or None)


def level_read(message: pb.StockLevel) -> StockLevelRead:
    data = _plain(message)
    data["warehouse_id"] = data["warehouse_id"] or None
    return StockLevelRead.model_validate(data)


def level_page(response: pb.ListStockLevelsResponse) -> StockLevelPage:
    items = [level_read(level) for level in response.items]
    return StockLevelPage(items=items, next_cursor=response.page.next_cursor or None)


def movement_page(response: pb.ListStockMovementsResponse) -> MovementPage:
    items = [MovementRead.model_validate(_plain(m)) for m in response.items]
    return MovementPage(items=items, next_cursor=response.page.next_cursor or None)


def adjust_request(body: AdjustmentCreate) -> pb.AdjustStockRequest:
    return pb.AdjustStockRequest(**body.model_dump())


def delivery_note_request(body: DeliveryNoteCreate) -> pb.CreateDeliveryNoteRequest:
    lines = [
        pb.DeliveryLine(product_id=line.product_id, quantity=line.quantity or "",
                        serials=line.serials)
        for line in body.lines or []
    ]  # fmt: skip
    return pb.CreateDeliveryNoteRequest(order_id=body.order_id, lines=lines)


def delivery_note_read(message: pb.DeliveryNote) -> DeliveryNoteRead:
    return DeliveryNoteRead.model_validate(_plain(message))


def delivery_note_page(response: pb.ListDeliveryNotesResponse) -> DeliveryNotePage:
    items = [delivery_note_read(n) for n in response.items]
    return DeliveryNotePage(items=items, next_cursor=response.page.next_cursor or None)


def asset_read(message: pb.Asset) -> AssetRead:
    return AssetRead.model_validate(_plain(message))


def asset_page(response: pb.ListAssetsResponse) -> AssetPage:
    items = [asset_read(a) for a in response.items]
    return AssetPage(items=items, next_cursor=response.page.next_cursor or None)
