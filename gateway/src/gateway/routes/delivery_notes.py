"""Delivery notes: ship what is reserved for a sales order (module stock); this
router only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from crm.inventory.v1 import stock_pb2 as pb
from gateway import mappers_stock as mappers
from gateway.deps import RequireUser, StockStub, UserIdempotency
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.stock import DeliveryNoteCreate, DeliveryNotePage, DeliveryNoteRead

router = APIRouter(prefix="/delivery-notes", tags=["stock"], dependencies=[RequireUser])

NoteId = Annotated[UUID, Path(alias="id", description="The delivery note's id (UUID)")]


@router.get("", responses=problem_responses(401, 403, 422), summary="Delivery notes")
async def list_delivery_notes(
    stock: StockStub,
    *,
    order_id: Annotated[str | None, Query(max_length=40, description="A sales order id")] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> DeliveryNotePage:
    request = pb.ListDeliveryNotesRequest(page=page_request(limit, cursor), order_id=order_id or "")
    return mappers.delivery_note_page(await stock.ListDeliveryNotes(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Ship an order's reserved stock (all, or the given lines); serials become assets",
)
async def create_delivery_note(
    body: DeliveryNoteCreate, stock: StockStub, response: Response
) -> DeliveryNoteRead:
    created = await stock.CreateDeliveryNote(mappers.delivery_note_request(body))
    note = mappers.delivery_note_read(created)
    response.headers["Location"] = f"{API_PREFIX}/delivery-notes/{note.id}"
    return note


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One delivery note")
async def get_delivery_note(note_id: NoteId, stock: StockStub) -> DeliveryNoteRead:
    note = await stock.GetDeliveryNote(pb.GetDeliveryNoteRequest(id=str(note_id)))
    return mappers.delivery_note_read(note)
