"""Deals and the kanban board (the sales service decides access, module deals);
this router only parses, calls and maps."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.sales.v1 import deals_pb2 as pb
from gateway import mappers_deals as mappers
from gateway.deps import DealStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.deals import (
    ContactRolesPut,
    DealBoardRead,
    DealCreate,
    DealPage,
    DealRead,
    DealStatus,
    DealUpdate,
    SplitsPut,
)

router = APIRouter(prefix="/deals", tags=["deals"], dependencies=[RequireUser])

DealId = Annotated[UUID, Path(alias="id", description="The deal's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
Sort = Literal[
    "created_at", "-created_at", "amount", "-amount", "close_date", "-close_date", "name", "-name"
]
CHANGE_RESPONSES = problem_responses(401, 403, 404, 409, 413, 422)


def _with_etag(response: Response, deal: DealRead) -> DealRead:
    response.headers["ETag"] = etag(deal.version)
    return deal


def _text(value: object) -> str | None:
    return str(value) if value is not None else None


@router.get("", responses=problem_responses(401, 403, 422), summary="Deals you may see")
async def list_deals(
    deals: DealStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    pipeline_id: UUID | None = None,
    stage_id: UUID | None = None,
    status: DealStatus | None = None,
    owner_id: UUID | None = None,
    account_id: UUID | None = None,
    q: Annotated[str | None, Query(max_length=200, description="In the name")] = None,
    close_date_from: date | None = None,
    close_date_to: date | None = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    sort: Annotated[Sort, Query(description="'-' in front descends")] = "created_at",
) -> DealPage:
    request = mappers.list_deals_request(
        limit, cursor, pipeline_id=_text(pipeline_id), stage_id=_text(stage_id), status=status,
        owner_id=_text(owner_id), account_id=_text(account_id), q=q,
        close_date_from=_text(close_date_from), close_date_to=_text(close_date_to), tag=tag,
        sort=sort,
    )  # fmt: skip
    return mappers.deal_page(await deals.ListDeals(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=CHANGE_RESPONSES,
    summary="Create a deal (default pipeline and its first open stage unless given)",
)
async def create_deal(body: DealCreate, deals: DealStub, response: Response) -> DealRead:
    deal = mappers.deal_read(await deals.CreateDeal(mappers.create_deal_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/deals/{deal.id}"
    return _with_etag(response, deal)


@router.get(
    "/board",
    responses=problem_responses(401, 403, 404, 422),
    summary="Kanban: one column per stage with count, sums per currency and first cards",
)
async def get_board(
    deals: DealStub,
    *,
    pipeline_id: Annotated[UUID | None, Query(description="Default: the default one")] = None,
    owner_id: UUID | None = None,
    cards_per_column: Annotated[int, Query(ge=1, le=100)] = 20,
) -> DealBoardRead:
    request = pb.GetDealBoardRequest(
        pipeline_id=_text(pipeline_id) or "",
        owner_id=_text(owner_id) or "",
        cards_per_column=cards_per_column,
    )
    return mappers.board_read(await deals.GetDealBoard(request))


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One deal")
async def get_deal(deal_id: DealId, deals: DealStub, response: Response) -> DealRead:
    deal = await deals.GetDeal(pb.GetDealRequest(id=str(deal_id)))
    return _with_etag(response, mappers.deal_read(deal))


@router.patch(
    "/{id}",
    responses=CHANGE_RESPONSES,
    summary="Change the fields present; a new stage_id moves the deal (won/lost close it)",
)
async def update_deal(
    deal_id: DealId, body: DealUpdate, deals: DealStub, response: Response, if_match: IfMatch = None
) -> DealRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_deal_request(str(deal_id), body, version)
    return _with_etag(response, mappers.deal_read(await deals.UpdateDeal(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Move the deal to the recycle bin",
)
async def delete_deal(deal_id: DealId, deals: DealStub, if_match: IfMatch = None) -> Response:
    version = expected_version(if_match, None)
    await deals.DeleteDeal(pb.DeleteDealRequest(id=str(deal_id), expected_version=version))
    return Response(status_code=204)


@router.put(
    "/{id}/contact-roles",
    responses=CHANGE_RESPONSES,
    summary="Replace the deal's contact roles (contacts you may see, at most one primary)",
)
async def put_contact_roles(
    deal_id: DealId,
    body: ContactRolesPut,
    deals: DealStub,
    response: Response,
    if_match: IfMatch = None,
) -> DealRead:
    version = expected_version(if_match, body.version)
    request = mappers.contact_roles_request(str(deal_id), body, version)
    return _with_etag(response, mappers.deal_read(await deals.SetContactRoles(request)))


@router.put(
    "/{id}/splits",
    responses=CHANGE_RESPONSES,
    summary="Replace the commission splits (percentages summing to exactly 100, or none)",
)
async def put_splits(
    deal_id: DealId, body: SplitsPut, deals: DealStub, response: Response, if_match: IfMatch = None
) -> DealRead:
    version = expected_version(if_match, body.version)
    request = mappers.splits_request(str(deal_id), body, version)
    return _with_etag(response, mappers.deal_read(await deals.SetSplits(request)))


@router.post(
    "/{id}/restore",
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Restore a deleted deal (409 while its account is deleted)",
)
async def restore_deal(deal_id: DealId, deals: DealStub, response: Response) -> DealRead:
    deal = await deals.RestoreDeal(pb.RestoreDealRequest(id=str(deal_id)))
    return _with_etag(response, mappers.deal_read(deal))
