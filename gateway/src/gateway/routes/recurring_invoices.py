"""Recurring invoices (inventory's billing, module ``invoices``): an invoice
template billed every period by inventory's scheduled job, like a subscription.
Inventory decides access; this router only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.inventory.v1 import subscriptions_pb2 as pb
from gateway import mappers_subscriptions as mappers
from gateway.deps import RequireUser, SubscriptionStub, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.subscriptions import (
    RecurringInvoiceCreate,
    RecurringInvoicePage,
    RecurringInvoiceRead,
    RecurringInvoiceUpdate,
    ScheduleStatus,
)

router = APIRouter(
    prefix="/recurring-invoices", tags=["recurring invoices"], dependencies=[RequireUser]
)

TemplateId = Annotated[UUID, Path(alias="id", description="The recurring invoice's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, template: RecurringInvoiceRead) -> RecurringInvoiceRead:
    response.headers["ETag"] = etag(template.version)
    return template


@router.get(
    "", responses=problem_responses(401, 403, 422), summary="Recurring invoices of your tenant"
)
async def list_recurring_invoices(
    subscriptions: SubscriptionStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    account_id: UUID | None = None,
    status: ScheduleStatus | None = None,
) -> RecurringInvoicePage:
    request = pb.ListRecurringInvoicesRequest(
        page=page_request(limit, cursor), account_id=str(account_id or ""), status=status or ""
    )
    answer = await subscriptions.ListRecurringInvoices(request)
    return RecurringInvoicePage(
        items=[mappers.recurring_read(r) for r in answer.items],
        next_cursor=answer.page.next_cursor or None,
    )


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Bill an invoice template every period",
)
async def create_recurring_invoice(
    body: RecurringInvoiceCreate, subscriptions: SubscriptionStub, response: Response
) -> RecurringInvoiceRead:
    request = mappers.create_recurring_request(body)
    template = mappers.recurring_read(await subscriptions.CreateRecurringInvoice(request))
    response.headers["Location"] = f"{API_PREFIX}/recurring-invoices/{template.id}"
    return _with_etag(response, template)


@router.get(
    "/{id}", responses=problem_responses(401, 403, 404, 422), summary="One recurring invoice"
)
async def get_recurring_invoice(
    template_id: TemplateId, subscriptions: SubscriptionStub, response: Response
) -> RecurringInvoiceRead:
    request = pb.GetRecurringInvoiceRequest(id=str(template_id))
    return _with_etag(
        response, mappers.recurring_read(await subscriptions.GetRecurringInvoice(request))
    )


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change later periods; status cancelled stops it (cancelled/ended: 409)",
)
async def update_recurring_invoice(
    template_id: TemplateId,
    body: RecurringInvoiceUpdate,
    subscriptions: SubscriptionStub,
    response: Response,
    if_match: IfMatch = None,
) -> RecurringInvoiceRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_recurring_request(str(template_id), body, version)
    answer = await subscriptions.UpdateRecurringInvoice(request)
    return _with_etag(response, mappers.recurring_read(answer))
