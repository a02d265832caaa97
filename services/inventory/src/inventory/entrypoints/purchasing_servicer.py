"""PurchasingService servicer: parse, resolve the caller's access, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.inventory.v1 import purchasing_pb2 as pb
from crm.inventory.v1 import purchasing_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from inventory import mappers_purchasing as mappers
from inventory.mappers import page_to_pb
from inventory.service_layer import bills, purchase_orders, receipts, vendors
from inventory.service_layer.deps import AccessResolver, InventoryDeps

Context: TypeAlias = grpc.aio.ServicerContext


class PurchasingServicer(purchasing_pb2_grpc.PurchasingServiceServicer):
    def __init__(self, deps: InventoryDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    # ---- vendors ----

    async def CreateVendor(self, request: pb.CreateVendorRequest, context: Context) -> pb.Vendor:
        cmd = mappers.create_vendor_cmd(request)
        return mappers.vendor_to_pb(await vendors.create_vendor(cmd, await self._ctx(), self._deps))

    async def GetVendor(self, request: pb.GetVendorRequest, context: Context) -> pb.Vendor:
        vendor = await vendors.get_vendor(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.vendor_to_pb(vendor)

    async def ListVendors(
        self, request: pb.ListVendorsRequest, context: Context
    ) -> pb.ListVendorsResponse:
        page = await vendors.list_vendors(
            await self._ctx(), self._deps, mappers.vendor_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.vendor_to_pb(v) for v in page.items]
        return pb.ListVendorsResponse(items=items, page=page_to_pb(page))

    async def UpdateVendor(self, request: pb.UpdateVendorRequest, context: Context) -> pb.Vendor:
        cmd = mappers.update_vendor_cmd(request)
        return mappers.vendor_to_pb(await vendors.update_vendor(cmd, await self._ctx(), self._deps))

    # ---- purchase orders ----

    async def CreatePurchaseOrder(
        self, request: pb.CreatePurchaseOrderRequest, context: Context
    ) -> pb.PurchaseOrder:
        cmd = mappers.create_order_cmd(request)
        order = await purchase_orders.create_purchase_order(cmd, await self._ctx(), self._deps)
        return mappers.order_to_pb(order)

    async def GetPurchaseOrder(
        self, request: pb.GetPurchaseOrderRequest, context: Context
    ) -> pb.PurchaseOrder:
        order_id = parse_uuid(request.id)
        order = await purchase_orders.get_purchase_order(order_id, await self._ctx(), self._deps)
        return mappers.order_to_pb(order)

    async def ListPurchaseOrders(
        self, request: pb.ListPurchaseOrdersRequest, context: Context
    ) -> pb.ListPurchaseOrdersResponse:
        page = await purchase_orders.list_purchase_orders(
            await self._ctx(), self._deps, mappers.order_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.order_to_pb(o) for o in page.items]
        return pb.ListPurchaseOrdersResponse(items=items, page=page_to_pb(page))

    async def UpdatePurchaseOrder(
        self, request: pb.UpdatePurchaseOrderRequest, context: Context
    ) -> pb.PurchaseOrder:
        cmd = mappers.update_order_cmd(request)
        order = await purchase_orders.update_purchase_order(cmd, await self._ctx(), self._deps)
        return mappers.order_to_pb(order)

    async def IssuePurchaseOrder(
        self, request: pb.PurchaseOrderActionRequest, context: Context
    ) -> pb.PurchaseOrder:
        order = await purchase_orders.issue_purchase_order(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return mappers.order_to_pb(order)

    async def CancelPurchaseOrder(
        self, request: pb.PurchaseOrderActionRequest, context: Context
    ) -> pb.PurchaseOrder:
        order = await purchase_orders.cancel_purchase_order(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return mappers.order_to_pb(order)

    async def ReceivePurchaseOrder(
        self, request: pb.ReceivePurchaseOrderRequest, context: Context
    ) -> pb.ReceivePurchaseOrderResponse:
        cmd = mappers.receive_cmd(request)
        received = await receipts.receive_purchase_order(cmd, await self._ctx(), self._deps)
        return pb.ReceivePurchaseOrderResponse(
            receipt=mappers.receipt_to_pb(received.receipt),
            purchase_order=mappers.order_to_pb(received.order),
        )

    # ---- bills ----

    async def CreateBill(self, request: pb.CreateBillRequest, context: Context) -> pb.Bill:
        cmd = mappers.bill_cmd(request)
        return mappers.bill_to_pb(await bills.record_bill(cmd, await self._ctx(), self._deps))

    async def GetBill(self, request: pb.GetBillRequest, context: Context) -> pb.Bill:
        bill = await bills.get_bill(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.bill_to_pb(bill)

    async def ListBills(
        self, request: pb.ListBillsRequest, context: Context
    ) -> pb.ListBillsResponse:
        page = await bills.list_bills(
            await self._ctx(), self._deps, mappers.bill_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.bill_to_pb(b) for b in page.items]
        return pb.ListBillsResponse(items=items, page=page_to_pb(page))
