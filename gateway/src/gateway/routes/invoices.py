"""Invoices (billing in the inventory service, module ``invoices``): drafts, issue
with a gapless number, void. Inventory decides access; this router only parses,
calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Header, Path, Query, Response

from crm.inventory.v1 import billing_pb2 as pb
from gateway import mappers_billing as mappers
from gateway.deps import BillingStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.invoices import (
    InvoiceActionBody,
    InvoiceCreate,
    InvoicePage,
    InvoiceRead,
    InvoiceStatus,
    InvoiceUpdate,
)

router = APIRouter(prefix="/invoices", tags=["invoices"], dependencies=[RequireUser])

InvoiceId = Annotated[UUID, Path(alias="id", description="The invoice's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
OptionalAction = Annotated[InvoiceActionBody | None, Body()]
CHANGE = problem_responses(401, 403, 404, 409, 413, 422)


def _with_etag(response: Response, invoice: InvoiceRead) -> InvoiceRead:
    response.headers["ETag"] = etag(invoice.version)
    return invoice


@router.get("", responses=problem_responses(401, 403, 422), summary="Invoices of your tenant")
async def list_invoices(
    billing: BillingStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: InvoiceStatus | None = None,
    account_id: UUID | None = None,
    order_id: UUID | None = None,
    deal_id: UUID | None = None,
) -> InvoicePage:
    request = pb.ListInvoicesRequest(
        page=page_request(limit, cursor), status=status or "",
        account_id=str(account_id or ""), order_id=str(order_id or ""),
        deal_id=str(deal_id or ""),
    )  # fmt: skip
    answer = await billing.ListInvoices(request)
    return InvoicePage(
        items=[mappers.invoice_read(i) for i in answer.items],
        next_cursor=answer.page.next_cursor or None,
    )


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Draft an invoice (no number until it is issued)",
)
async def create_invoice(
    body: InvoiceCreate, billing: BillingStub, response: Response
) -> InvoiceRead:
    invoice = mappers.invoice_read(
        await billing.CreateInvoice(mappers.create_invoice_request(body))
    )
    response.headers["Location"] = f"{API_PREFIX}/invoices/{invoice.id}"
    return _with_etag(response, invoice)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One invoice")
async def get_invoice(
    invoice_id: InvoiceId, billing: BillingStub, response: Response
) -> InvoiceRead:
    invoice = await billing.GetInvoice(pb.GetInvoiceRequest(id=str(invoice_id)))
    return _with_etag(response, mappers.invoice_read(invoice))


@router.patch("/{id}", responses=CHANGE, summary="Change a draft (issued invoices: 409)")
async def update_invoice(
    invoice_id: InvoiceId,
    body: InvoiceUpdate,
    billing: BillingStub,
    response: Response,
    if_match: IfMatch = None,
) -> InvoiceRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_invoice_request(str(invoice_id), body, version)
    return _with_etag(response, mappers.invoice_read(await billing.UpdateInvoice(request)))


def _action(
    invoice_id: UUID, body: InvoiceActionBody | None, version: int
) -> pb.InvoiceActionRequest:
    reason = body.reason if body else ""
    return pb.InvoiceActionRequest(id=str(invoice_id), expected_version=version, reason=reason)


@router.post(
    "/{id}/issue",
    dependencies=[UserIdempotency],
    responses=CHANGE,
    summary="Issue a draft: the next number INV-<year>-000001, issue and due dates",
)
async def issue_invoice(
    invoice_id: InvoiceId,
    billing: BillingStub,
    response: Response,
    body: OptionalAction = None,
    if_match: IfMatch = None,
) -> InvoiceRead:
    version = expected_version(if_match, body.version if body else None)
    invoice = await billing.IssueInvoice(_action(invoice_id, body, version))
    return _with_etag(response, mappers.invoice_read(invoice))


@router.post(
    "/{id}/void",
    dependencies=[UserIdempotency],
    responses=CHANGE,
    summary="Void an invoice nothing was paid or credited against (else 409)",
)
async def void_invoice(
    invoice_id: InvoiceId,
    billing: BillingStub,
    response: Response,
    body: OptionalAction = None,
    if_match: IfMatch = None,
) -> InvoiceRead:
    version = expected_version(if_match, body.version if body else None)
    invoice = await billing.VoidInvoice(_action(invoice_id, body, version))
    return _with_etag(response, mappers.invoice_read(invoice))
