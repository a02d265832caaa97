"""Stock: where pb2 messages and stock's rows, views and commands meet."""

from __future__ import annotations

import uuid

from crm.inventory.v1 import stock_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.wire import parse_uuid, to_timestamp
from inventory.adapters.orm_stock import AssetRow, DeliveryNoteRow, StockMovementRow, WarehouseRow
from inventory.adapters.stock_repository import LevelFilters
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.domain.stock import QUANTITY_PLACES, quantity_text
from inventory.domain.stock_commands import AdjustStock, CreateDeliveryNote, ShipLine
from inventory.mappers import parse_decimal
from inventory.service_layer.stock_levels import LevelView
from inventory.service_layer.warehouses import WAREHOUSE_FIELDS


def optional_uuid(text: str, field: str) -> uuid.UUID | None:
    return parse_uuid(text, field) if text else None


def _text(value: uuid.UUID | None) -> str:
    return str(value) if value else ""


def create_warehouse_cmd(req: pb.CreateWarehouseRequest) -> CreateRecord:
    values: dict[str, object] = {"code": req.code, "name": req.name, "address": req.address}
    if req.HasField("active"):
        values["active"] = req.active
    return CreateRecord(values)


def update_warehouse_cmd(req: pb.UpdateWarehouseRequest) -> UpdateRecord:
    unknown = set(req.update_mask) - WAREHOUSE_FIELDS
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    changes = {name: getattr(req, name) for name in req.update_mask}
    return UpdateRecord(parse_uuid(req.id), changes, req.expected_version)


def warehouse_to_pb(row: WarehouseRow) -> pb.Warehouse:
    return pb.Warehouse(
        id=str(row.id), tenant_id=str(row.tenant_id), code=row.code, name=row.name,
        address=row.address, active=row.active, version=row.version,
        created_at=to_timestamp(row.created_at), updated_at=to_timestamp(row.updated_at),
        created_by=_text(row.created_by), updated_by=_text(row.updated_by),
    )  # fmt: skip


def level_filters(req: pb.ListStockLevelsRequest) -> LevelFilters:
    product_id = optional_uuid(req.product_id, "product_id")
    return LevelFilters(
        product_ids=(product_id,) if product_id else (),
        warehouse_id=optional_uuid(req.warehouse_id, "warehouse_id"),
    )


def level_to_pb(level: LevelView) -> pb.StockLevel:
    return pb.StockLevel(
        product_id=str(level.product_id), warehouse_id=_text(level.warehouse_id),
        on_hand=quantity_text(level.on_hand), reserved=quantity_text(level.reserved),
        available=quantity_text(level.available), derived=level.derived,
        updated_at=to_timestamp(level.updated_at),
    )  # fmt: skip


def movement_to_pb(row: StockMovementRow) -> pb.StockMovement:
    return pb.StockMovement(
        id=str(row.id), product_id=str(row.product_id), warehouse_id=str(row.warehouse_id),
        kind=row.kind, quantity_delta=quantity_text(row.quantity_delta),
        reserved_delta=quantity_text(row.reserved_delta), reference_type=row.reference_type,
        reference_id=_text(row.reference_id), reason=row.reason, at=to_timestamp(row.at),
        by=_text(row.by),
    )  # fmt: skip


def adjust_cmd(req: pb.AdjustStockRequest) -> AdjustStock:
    return AdjustStock(
        product_id=parse_uuid(req.product_id, "product_id"),
        warehouse_id=parse_uuid(req.warehouse_id, "warehouse_id"),
        quantity_delta=parse_decimal(req.quantity_delta, "quantity_delta", places=QUANTITY_PLACES),
        reason=req.reason,
    )


def delivery_cmd(req: pb.CreateDeliveryNoteRequest) -> CreateDeliveryNote:
    lines = tuple(
        ShipLine(
            product_id=parse_uuid(line.product_id, f"lines[{i}].product_id"),
            quantity=parse_decimal(line.quantity, f"lines[{i}].quantity", places=QUANTITY_PLACES)
            if line.quantity
            else None,
            serials=tuple(line.serials),
        )
        for i, line in enumerate(req.lines)
    )
    return CreateDeliveryNote(parse_uuid(req.order_id, "order_id"), lines)


def delivery_note_to_pb(row: DeliveryNoteRow) -> pb.DeliveryNote:
    lines = [
        pb.DeliveryLine(
            product_id=str(ln["product_id"]), quantity=str(ln["quantity"]),
            serials=[str(s) for s in ln.get("serials") or []],  # type: ignore[attr-defined]
            warehouse_id=str(ln["warehouse_id"]),
        )
        for ln in row.lines
    ]  # fmt: skip
    return pb.DeliveryNote(
        id=str(row.id), tenant_id=str(row.tenant_id), order_id=str(row.order_id),
        account_id=_text(row.account_id), status=row.status, lines=lines,
        shipped_at=to_timestamp(row.shipped_at), created_at=to_timestamp(row.created_at),
        created_by=_text(row.created_by),
    )  # fmt: skip


def asset_to_pb(row: AssetRow) -> pb.Asset:
    return pb.Asset(
        id=str(row.id), tenant_id=str(row.tenant_id), serial_number=row.serial_number,
        product_id=str(row.product_id), account_id=_text(row.account_id),
        order_id=_text(row.order_id), delivery_note_id=str(row.delivery_note_id),
        status=row.status, delivered_at=to_timestamp(row.delivered_at),
        created_at=to_timestamp(row.created_at),
    )  # fmt: skip
