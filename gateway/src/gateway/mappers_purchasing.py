"""Vendors, purchase orders, receipts and bills: pb2 <-> schema conversion, the
one place for them."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from crm.inventory.v1 import purchasing_pb2 as pb
from gateway.mappers import page_request
from gateway.proto_json import plain
from gateway.schemas.purchasing import (
    BillCreate,
    BillPage,
    BillRead,
    LineIn,
    PurchaseOrderCreate,
    PurchaseOrderPage,
    PurchaseOrderRead,
    PurchaseOrderUpdate,
    ReceiveBody,
    ReceivedRead,
    VendorCreate,
    VendorPage,
    VendorRead,
    VendorUpdate,
)

# Empty strings on the wire that are "none" in JSON.
OPTIONAL = frozenset({"expected_date", "created_by", "updated_by", "received_by"})
VENDOR_UPDATABLE = ("name", "email", "phone", "address", "payment_terms_days", "currency", "active")
ORDER_UPDATABLE = ("vendor_id", "currency", "warehouse_id", "expected_date", "lines")


def _plain(message: Message) -> dict[str, Any]:
    return plain(message, OPTIONAL)


def _lines(lines: list[LineIn]) -> list[pb.PurchaseOrderLineInput]:
    return [
        pb.PurchaseOrderLineInput(product_id=li.product_id, quantity=li.quantity,
                                  unit_cost=li.unit_cost)
        for li in lines
    ]  # fmt: skip


# ---- vendors ----


def create_vendor_request(body: VendorCreate) -> pb.CreateVendorRequest:
    return pb.CreateVendorRequest(**body.model_dump(exclude_none=True))


def update_vendor_request(
    vendor_id: str, body: VendorUpdate, expected_version: int
) -> pb.UpdateVendorRequest:
    present = [name for name in VENDOR_UPDATABLE if name in body.model_fields_set]
    values = {name: getattr(body, name) for name in present}
    return pb.UpdateVendorRequest(
        id=vendor_id, update_mask=present, expected_version=expected_version, **values
    )


def list_vendors_request(
    limit: int, cursor: str | None, *, q: str | None, active: bool | None
) -> pb.ListVendorsRequest:
    request = pb.ListVendorsRequest(page=page_request(limit, cursor), q=q or "")
    if active is not None:
        request.active = active
    return request


def vendor_read(message: pb.Vendor) -> VendorRead:
    return VendorRead.model_validate(_plain(message))


def vendor_page(response: pb.ListVendorsResponse) -> VendorPage:
    items = [vendor_read(v) for v in response.items]
    return VendorPage(items=items, next_cursor=response.page.next_cursor or None)


# ---- purchase orders ----


def create_order_request(body: PurchaseOrderCreate) -> pb.CreatePurchaseOrderRequest:
    return pb.CreatePurchaseOrderRequest(
        vendor_id=body.vendor_id,
        currency=body.currency or "",
        warehouse_id=body.warehouse_id,
        expected_date=body.expected_date.isoformat() if body.expected_date else "",
        lines=_lines(body.lines),
    )


def update_order_request(
    order_id: str, body: PurchaseOrderUpdate, expected_version: int
) -> pb.UpdatePurchaseOrderRequest:
    present = [name for name in ORDER_UPDATABLE if name in body.model_fields_set]
    values: dict[str, Any] = {name: getattr(body, name) for name in present}
    if "lines" in values:
        values["lines"] = _lines(values["lines"])
    if "expected_date" in values:
        values["expected_date"] = values["expected_date"].isoformat()
    return pb.UpdatePurchaseOrderRequest(
        id=order_id, update_mask=present, expected_version=expected_version, **values
    )


def list_orders_request(
    limit: int, cursor: str | None, *, status: str | None, vendor_id: str | None
) -> pb.ListPurchaseOrdersRequest:
    return pb.ListPurchaseOrdersRequest(
        page=page_request(limit, cursor), status=status or "", vendor_id=vendor_id or ""
    )


def receive_request(order_id: str, body: ReceiveBody) -> pb.ReceivePurchaseOrderRequest:
    lines = [
        pb.ReceiveLineInput(line_id=li.line_id or "", product_id=li.product_id or "",
                            quantity=li.quantity)
        for li in body.lines
    ]  # fmt: skip
    return pb.ReceivePurchaseOrderRequest(
        id=order_id, lines=lines, warehouse_id=body.warehouse_id or ""
    )


def order_read(message: pb.PurchaseOrder) -> PurchaseOrderRead:
    return PurchaseOrderRead.model_validate(_plain(message))


def order_page(response: pb.ListPurchaseOrdersResponse) -> PurchaseOrderPage:
    items = [order_read(o) for o in response.items]
    return PurchaseOrderPage(items=items, next_cursor=response.page.next_cursor or None)


def received_read(response: pb.ReceivePurchaseOrderResponse) -> ReceivedRead:
    return ReceivedRead.model_validate(_plain(response))


# ---- bills ----


def create_bill_request(body: BillCreate) -> pb.CreateBillRequest:
    return pb.CreateBillRequest(
        vendor_id=body.vendor_id or "",
        purchase_order_id=body.purchase_order_id,
        vendor_reference=body.vendor_reference,
        bill_date=body.bill_date.isoformat() if body.bill_date else "",
        lines=[
            pb.BillLineInput(product_id=li.product_id, quantity=li.quantity,
                             unit_cost=li.unit_cost)
            for li in body.lines
        ],
    )  # fmt: skip


def list_bills_request(
    limit: int, cursor: str | None, *, status: str | None, vendor_id: str | None,
    purchase_order_id: str | None,
) -> pb.ListBillsRequest:  # fmt: skip
    return pb.ListBillsRequest(
        page=page_request(limit, cursor), status=status or "", vendor_id=vendor_id or "",
        purchase_order_id=purchase_order_id or "",
    )  # fmt: skip


def bill_read(message: pb.Bill) -> BillRead:
    return BillRead.model_validate(_plain(message))


def bill_page(response: pb.ListBillsResponse) -> BillPage:
    return BillPage(items=[bill_read(b) for b in response.items],
                    next_cursor=response.page.next_cursor or None)  # fmt: skip
