"""Vendors' bills, matched against the purchase order and its receipts by the
inventory service (module purchase_orders); this router parses, calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from crm.inventory.v1 import purchasing_pb2 as pb
from gateway import mappers_purchasing as mappers
from gateway.deps import PurchasingStub, RequireUser, UserIdempotency
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.purchasing import BillCreate, BillPage, BillRead, BillStatus

router = APIRouter(prefix="/bills", tags=["bills"], dependencies=[RequireUser])

BillId = Annotated[UUID, Path(alias="id", description="The bill's id (UUID)")]


@router.get("", responses=problem_responses(401, 403, 422), summary="Vendors' bills")
async def list_bills(
    purchasing: PurchasingStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: BillStatus | None = None,
    vendor_id: UUID | None = None,
    purchase_order_id: UUID | None = None,
) -> BillPage:
    request = mappers.list_bills_request(
        limit, cursor, status=status, vendor_id=str(vendor_id or ""),
        purchase_order_id=str(purchase_order_id or ""),
    )  # fmt: skip
    return mappers.bill_page(await purchasing.ListBills(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Record a vendor's bill; lines are matched against the order and its receipts",
)
async def create_bill(body: BillCreate, purchasing: PurchasingStub, response: Response) -> BillRead:
    bill = mappers.bill_read(await purchasing.CreateBill(mappers.create_bill_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/bills/{bill.id}"
    return bill


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One bill")
async def get_bill(bill_id: BillId, purchasing: PurchasingStub) -> BillRead:
    return mappers.bill_read(await purchasing.GetBill(pb.GetBillRequest(id=str(bill_id))))
