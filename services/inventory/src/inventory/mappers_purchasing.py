"""Purchasing: where pb2 messages and purchasing's rows and commands meet."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from crm.inventory.v1 import purchasing_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.wire import parse_uuid, to_timestamp
from inventory.adapters.orm_purchasing import PurchaseOrderLineRow, ReceiptNoteRow
from inventory.adapters.purchasing_repository import BillFilters, OrderFilters, VendorFilters
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.domain.purchasing import (
    MATCHED,
    MISMATCH,
    PO_FIELDS,
    PO_STATUSES,
    VENDOR_FIELDS,
    LineSpec,
    ReceiveGoods,
    ReceiveSpec,
    RecordBill,
)
from inventory.mappers import QUANTITY_PLACES, decimal_str, money_str, parse_date, parse_decimal
from inventory.service_layer.purchasing_shared import VisibleBill, VisibleOrder
from inventory.service_layer.vendors import VisibleVendor

VENDOR_TEXT = ("name", "email", "phone", "address", "currency")


def _hide(message: Any, hidden: Iterable[str]) -> Any:
    """Fields hidden from the caller stay empty and are named in hidden_fields."""
    for name in sorted(hidden):
        if name in message.DESCRIPTOR.fields_by_name:
            message.ClearField(name)
            message.hidden_fields.append(name)
    return message


def _optional_uuid(value: str, field: str) -> uuid.UUID | None:
    return parse_uuid(value, field) if value else None


def _audit(row: Any) -> dict[str, Any]:
    return {
        "version": row.version,
        "created_at": to_timestamp(row.created_at),
        "created_by": str(row.created_by or ""),
    }


# ---- vendors ----


def create_vendor_cmd(req: pb.CreateVendorRequest) -> CreateRecord:
    """Only the fields the caller gave, so field rules judge those alone."""
    values: dict[str, Any] = {n: getattr(req, n) for n in VENDOR_TEXT if getattr(req, n)}
    for name in ("payment_terms_days", "active"):
        if req.HasField(name):
            values[name] = getattr(req, name)
    return CreateRecord(values)


def update_vendor_cmd(req: pb.UpdateVendorRequest) -> UpdateRecord:
    unknown = set(req.update_mask) - VENDOR_FIELDS
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    changes = {name: getattr(req, name) for name in req.update_mask}
    return UpdateRecord(parse_uuid(req.id), changes, req.expected_version)


def vendor_to_pb(vendor: VisibleVendor) -> pb.Vendor:
    row = vendor.row
    message = pb.Vendor(
        id=str(row.id), tenant_id=str(row.tenant_id), **{n: getattr(row, n) for n in VENDOR_TEXT},
        payment_terms_days=row.payment_terms_days, active=row.active, **_audit(row),
        updated_at=to_timestamp(row.updated_at), updated_by=str(row.updated_by or ""),
    )  # fmt: skip
    return _hide(message, vendor.hidden)


def vendor_filters(req: pb.ListVendorsRequest) -> VendorFilters:
    return VendorFilters(q=req.q.strip(), active=req.active if req.HasField("active") else None)


# ---- purchase orders ----


def _lines(items: Iterable[Any]) -> list[LineSpec]:
    return [
        LineSpec(
            parse_uuid(item.product_id, f"lines[{i}].product_id"),
            parse_decimal(item.quantity, f"lines[{i}].quantity", places=QUANTITY_PLACES),
            parse_decimal(item.unit_cost or "0", f"lines[{i}].unit_cost"),
        )
        for i, item in enumerate(items)
    ]


def _order_values(req: Any, names: Iterable[str]) -> dict[str, Any]:
    parsers = {
        "vendor_id": lambda: _optional_uuid(req.vendor_id, "vendor_id"),
        "warehouse_id": lambda: _optional_uuid(req.warehouse_id, "warehouse_id"),
        "currency": lambda: req.currency.strip().upper(),
        "expected_date": lambda: parse_date(req.expected_date, "expected_date"),
        "lines": lambda: _lines(req.lines),
    }
    return {name: parsers[name]() for name in names}


def create_order_cmd(req: pb.CreatePurchaseOrderRequest) -> CreateRecord:
    """Only the fields the caller gave (no currency: the vendor's)."""
    values = _order_values(req, PO_FIELDS)
    return CreateRecord({name: value for name, value in values.items() if value})


def update_order_cmd(req: pb.UpdatePurchaseOrderRequest) -> UpdateRecord:
    unknown = set(req.update_mask) - PO_FIELDS
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    changes = _order_values(req, req.update_mask)
    return UpdateRecord(parse_uuid(req.id), changes, req.expected_version)


def _order_line_to_pb(line: PurchaseOrderLineRow, currency: str) -> pb.PurchaseOrderLine:
    return pb.PurchaseOrderLine(
        id=str(line.id), position=line.position, product_id=str(line.product_id),
        quantity=decimal_str(line.quantity), unit_cost=money_str(line.unit_cost, currency),
        line_total=money_str(line.line_total, currency),
        received_quantity=decimal_str(line.received_quantity),
    )  # fmt: skip


def receipt_to_pb(receipt: ReceiptNoteRow) -> pb.ReceiptNote:
    lines = [
        pb.ReceiptLine(
            line_id=str(li.line_id),
            product_id=str(li.product_id),
            quantity=decimal_str(li.quantity),
        )
        for li in receipt.lines
    ]
    return pb.ReceiptNote(
        id=str(receipt.id), purchase_order_id=str(receipt.purchase_order_id),
        warehouse_id=str(receipt.warehouse_id), lines=lines,
        received_at=to_timestamp(receipt.received_at), received_by=str(receipt.received_by or ""),
    )  # fmt: skip


def order_to_pb(order: VisibleOrder) -> pb.PurchaseOrder:
    row, c = order.row, order.row.currency
    message = pb.PurchaseOrder(
        id=str(row.id), tenant_id=str(row.tenant_id), number=row.number,
        vendor_id=str(row.vendor_id), currency=c, warehouse_id=str(row.warehouse_id),
        expected_date=row.expected_date.isoformat() if row.expected_date else "",
        status=row.status, lines=[_order_line_to_pb(li, c) for li in row.lines],
        total=money_str(row.total, c), receipts=[receipt_to_pb(r) for r in row.receipts],
        issued_at=to_timestamp(row.issued_at), **_audit(row),
        updated_at=to_timestamp(row.updated_at), updated_by=str(row.updated_by or ""),
    )  # fmt: skip
    return _hide(message, order.hidden)


def order_filters(req: pb.ListPurchaseOrdersRequest) -> OrderFilters:
    status = req.status.strip().lower()
    if status and status not in PO_STATUSES:
        raise InvalidArgument.for_field("status", f"one of {', '.join(PO_STATUSES)}")
    return OrderFilters(status=status, vendor_id=_optional_uuid(req.vendor_id, "vendor_id"))


def receive_cmd(req: pb.ReceivePurchaseOrderRequest) -> ReceiveGoods:
    specs = []
    for i, item in enumerate(req.lines):
        line_id = _optional_uuid(item.line_id, f"lines[{i}].line_id")
        product_id = _optional_uuid(item.product_id, f"lines[{i}].product_id")
        if not (line_id or product_id):
            raise InvalidArgument.for_field(f"lines[{i}].line_id", "name a line_id or product_id")
        quantity = parse_decimal(item.quantity, f"lines[{i}].quantity", places=QUANTITY_PLACES)
        specs.append(ReceiveSpec(line_id, product_id, quantity))
    warehouse_id = _optional_uuid(req.warehouse_id, "warehouse_id")
    return ReceiveGoods(parse_uuid(req.id), tuple(specs), warehouse_id)


# ---- bills ----


def bill_cmd(req: pb.CreateBillRequest) -> RecordBill:
    return RecordBill(
        purchase_order_id=parse_uuid(req.purchase_order_id, "purchase_order_id"),
        vendor_reference=req.vendor_reference,
        lines=tuple(_lines(req.lines)),
        vendor_id=_optional_uuid(req.vendor_id, "vendor_id"),
        bill_date=parse_date(req.bill_date, "bill_date"),
    )


def bill_to_pb(bill: VisibleBill) -> pb.Bill:
    row, c = bill.row, bill.row.currency
    lines = [
        pb.BillLine(
            id=str(li.id), position=li.position, product_id=str(li.product_id),
            quantity=decimal_str(li.quantity), unit_cost=money_str(li.unit_cost, c),
            line_total=money_str(li.line_total, c),
            ordered_unit_cost=money_str(li.ordered_unit_cost, c),
            received_quantity=decimal_str(li.received_quantity),
            billed_quantity=decimal_str(li.billed_quantity),
            quantity_mismatch=li.quantity_mismatch, price_mismatch=li.price_mismatch,
        )
        for li in row.lines
    ]  # fmt: skip
    message = pb.Bill(
        id=str(row.id), tenant_id=str(row.tenant_id), vendor_id=str(row.vendor_id),
        purchase_order_id=str(row.purchase_order_id), vendor_reference=row.vendor_reference,
        bill_date=row.bill_date.isoformat(), currency=c, lines=lines,
        total=money_str(row.total, c), status=row.status, **_audit(row),
    )  # fmt: skip
    return _hide(message, bill.hidden)


def bill_filters(req: pb.ListBillsRequest) -> BillFilters:
    status = req.status.strip().lower()
    if status and status not in (MATCHED, MISMATCH):
        raise InvalidArgument.for_field("status", "matched or mismatch")
    return BillFilters(
        status=status,
        vendor_id=_optional_uuid(req.vendor_id, "vendor_id"),
        purchase_order_id=_optional_uuid(req.purchase_order_id, "purchase_order_id"),
    )
