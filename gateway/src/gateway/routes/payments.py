"""Payments allocated to invoices (module ``payments``); with ``account_id`` the
list also shows the account's unallocated credit."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from crm.inventory.v1 import billing_pb2 as pb
from gateway import mappers_billing as mappers
from gateway.deps import BillingStub, RequireUser, UserIdempotency
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.payments import MoneyRead, PaymentCreate, PaymentPage, PaymentRead

router = APIRouter(prefix="/payments", tags=["payments"], dependencies=[RequireUser])

PaymentId = Annotated[UUID, Path(alias="id", description="The payment's id (UUID)")]


@router.get("", responses=problem_responses(401, 403, 422), summary="Payments")
async def list_payments(
    billing: BillingStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    account_id: UUID | None = None,
    invoice_id: UUID | None = None,
) -> PaymentPage:
    request = pb.ListPaymentsRequest(
        page=page_request(limit, cursor), account_id=str(account_id or ""),
        invoice_id=str(invoice_id or ""),
    )  # fmt: skip
    answer = await billing.ListPayments(request)
    return PaymentPage(
        items=[mappers.payment_read(p) for p in answer.items],
        next_cursor=answer.page.next_cursor or None,
        credit=[MoneyRead(amount=m.amount, currency=m.currency) for m in answer.credit],
    )


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Record a payment and allocate it (overpayment: 422 unless keep_credit)",
)
async def create_payment(
    body: PaymentCreate, billing: BillingStub, response: Response
) -> PaymentRead:
    payment = mappers.payment_read(await billing.CreatePayment(mappers.payment_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/payments/{payment.id}"
    return payment


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One payment")
async def get_payment(payment_id: PaymentId, billing: BillingStub) -> PaymentRead:
    return mappers.payment_read(await billing.GetPayment(pb.GetPaymentRequest(id=str(payment_id))))
