"""Credit notes: corrections of issued invoices (module ``invoices``)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from crm.inventory.v1 import billing_pb2 as pb
from gateway import mappers_billing as mappers
from gateway.deps import BillingStub, RequireUser, UserIdempotency
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.invoices import CreditNoteCreate, CreditNotePage, CreditNoteRead

router = APIRouter(prefix="/credit-notes", tags=["invoices"], dependencies=[RequireUser])


@router.get("", responses=problem_responses(401, 403, 422), summary="Credit notes")
async def list_credit_notes(
    billing: BillingStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    invoice_id: UUID | None = None,
) -> CreditNotePage:
    request = pb.ListCreditNotesRequest(
        page=page_request(limit, cursor), invoice_id=str(invoice_id or "")
    )
    answer = await billing.ListCreditNotes(request)
    return CreditNotePage(
        items=[mappers.credit_note_read(n) for n in answer.items],
        next_cursor=answer.page.next_cursor or None,
    )


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Credit an issued invoice: CN-<year>-000001, reduces its balance",
)
async def create_credit_note(
    body: CreditNoteCreate, billing: BillingStub, response: Response
) -> CreditNoteRead:
    note = await billing.CreateCreditNote(mappers.credit_note_request(body))
    return mappers.credit_note_read(note)
