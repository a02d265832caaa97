"""Segments: saved filters over marketing's read model of leads and contacts,
evaluated live (the marketing service decides access, module segments)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.marketing.v1 import marketing_pb2 as pb
from gateway import mappers_marketing as mappers
from gateway.deps import MarketingStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.marketing import (
    ProspectPage,
    SegmentCreate,
    SegmentPage,
    SegmentRead,
    SegmentUpdate,
)

router = APIRouter(prefix="/segments", tags=["segments"], dependencies=[RequireUser])

SegmentId = Annotated[UUID, Path(alias="id", description="The segment's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
Limit = Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)]


def _with_etag(response: Response, segment: SegmentRead) -> SegmentRead:
    response.headers["ETag"] = etag(segment.version)
    return segment


@router.get("", responses=problem_responses(401, 403, 422), summary="Segments")
async def list_segments(
    marketing: MarketingStub,
    *,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> SegmentPage:
    request = pb.ListSegmentsRequest(page=page_request(limit, cursor))
    return mappers.segment_page(await marketing.ListSegments(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Save a segment",
)
async def create_segment(
    body: SegmentCreate, marketing: MarketingStub, response: Response
) -> SegmentRead:
    request = pb.CreateSegmentRequest(segment=mappers.segment_body(body))
    segment = mappers.segment_read(await marketing.CreateSegment(request))
    response.headers["Location"] = f"{API_PREFIX}/segments/{segment.id}"
    return _with_etag(response, segment)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One segment")
async def get_segment(
    segment_id: SegmentId, marketing: MarketingStub, response: Response
) -> SegmentRead:
    answer = await marketing.GetSegment(pb.GetSegmentRequest(id=str(segment_id)))
    return _with_etag(response, mappers.segment_read(answer))


@router.put(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Replace the segment's definition",
)
async def update_segment(
    segment_id: SegmentId,
    body: SegmentUpdate,
    marketing: MarketingStub,
    response: Response,
    if_match: IfMatch = None,
) -> SegmentRead:
    request = pb.UpdateSegmentRequest(
        id=str(segment_id),
        segment=mappers.segment_body(body),
        expected_version=expected_version(if_match, body.version),
    )
    return _with_etag(response, mappers.segment_read(await marketing.UpdateSegment(request)))


@router.delete(
    "/{id}", status_code=204, responses=problem_responses(401, 403, 404, 422), summary="Delete"
)
async def delete_segment(segment_id: SegmentId, marketing: MarketingStub) -> Response:
    await marketing.DeleteSegment(pb.DeleteSegmentRequest(id=str(segment_id)))
    return Response(status_code=204)


@router.get(
    "/{id}/members",
    responses=problem_responses(401, 403, 404, 422),
    summary="The leads and contacts matching the segment now",
)
async def segment_members(
    segment_id: SegmentId,
    marketing: MarketingStub,
    *,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> ProspectPage:
    request = pb.ListSegmentMembersRequest(id=str(segment_id), page=page_request(limit, cursor))
    return mappers.prospect_page(await marketing.ListSegmentMembers(request))
