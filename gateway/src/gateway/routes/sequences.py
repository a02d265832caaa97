"""E-mail sequences and their enrolments (module sequences)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.marketing.v1 import marketing_pb2 as pb
from gateway import mappers_marketing_campaigns as mappers
from gateway.deps import MarketingStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.marketing_campaigns import (
    EnrollBody,
    Enrolled,
    EnrollmentPage,
    EnrollmentRead,
    SequenceCreate,
    SequencePage,
    SequenceRead,
    SequenceUpdate,
)

router = APIRouter(prefix="/sequences", tags=["sequences"], dependencies=[RequireUser])

SequenceId = Annotated[UUID, Path(alias="id", description="The sequence's id (UUID)")]
EnrollmentId = Annotated[UUID, Path(alias="enrollment_id", description="The enrolment's id")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
Limit = Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)]


def _with_etag(response: Response, sequence: SequenceRead) -> SequenceRead:
    response.headers["ETag"] = etag(sequence.version)
    return sequence


@router.get("", responses=problem_responses(401, 403, 422), summary="Sequences")
async def list_sequences(
    marketing: MarketingStub,
    *,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> SequencePage:
    answer = await marketing.ListSequences(
        pb.ListSequencesRequest(page=page_request(limit, cursor))
    )
    return SequencePage(
        items=[mappers.sequence_read(s) for s in answer.items],
        next_cursor=answer.page.next_cursor or None,
    )


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Add a sequence (ordered steps with delays)",
)
async def create_sequence(
    body: SequenceCreate, marketing: MarketingStub, response: Response
) -> SequenceRead:
    answer = await marketing.CreateSequence(
        pb.CreateSequenceRequest(sequence=mappers.sequence_body(body))
    )
    sequence = mappers.sequence_read(answer)
    response.headers["Location"] = f"{API_PREFIX}/sequences/{sequence.id}"
    return _with_etag(response, sequence)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One sequence")
async def get_sequence(
    sequence_id: SequenceId, marketing: MarketingStub, response: Response
) -> SequenceRead:
    answer = await marketing.GetSequence(pb.GetSequenceRequest(id=str(sequence_id)))
    return _with_etag(response, mappers.sequence_read(answer))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change name, status, unit or (all) steps",
)
async def update_sequence(
    sequence_id: SequenceId,
    body: SequenceUpdate,
    marketing: MarketingStub,
    response: Response,
    if_match: IfMatch = None,
) -> SequenceRead:
    request = pb.UpdateSequenceRequest(
        id=str(sequence_id),
        sequence=mappers.sequence_body(body),
        expected_version=expected_version(if_match, body.version),
    )
    return _with_etag(response, mappers.sequence_read(await marketing.UpdateSequence(request)))


@router.delete(
    "/{id}", status_code=204, responses=problem_responses(401, 403, 404, 422), summary="Delete"
)
async def delete_sequence(sequence_id: SequenceId, marketing: MarketingStub) -> Response:
    await marketing.DeleteSequence(pb.DeleteSequenceRequest(id=str(sequence_id)))
    return Response(status_code=204)


@router.get(
    "/{id}/enrollments", responses=problem_responses(401, 403, 404, 422), summary="Enrolments"
)
async def list_enrollments(
    sequence_id: SequenceId,
    marketing: MarketingStub,
    *,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: Annotated[str | None, Query(pattern="^(active|completed|exited)$")] = None,
) -> EnrollmentPage:
    answer = await marketing.ListEnrollments(
        pb.ListEnrollmentsRequest(
            sequence_id=str(sequence_id), page=page_request(limit, cursor), status=status or ""
        )
    )
    return EnrollmentPage(
        items=[mappers.enrollment_read(e) for e in answer.items],
        next_cursor=answer.page.next_cursor or None,
    )


@router.post(
    "/{id}/enrollments",
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Enrol leads or contacts (already active ones are left alone)",
)
async def enroll(sequence_id: SequenceId, body: EnrollBody, marketing: MarketingStub) -> Enrolled:
    answer = await marketing.EnrollInSequence(
        pb.EnrollInSequenceRequest(
            sequence_id=str(sequence_id), lead_ids=body.lead_ids, contact_ids=body.contact_ids
        )
    )
    return mappers.enrolled(answer)


@router.post(
    "/{id}/enrollments/{enrollment_id}/stop",
    responses=problem_responses(401, 403, 404, 422),
    summary="Stop an enrolment by hand",
)
async def stop_enrollment(
    sequence_id: SequenceId, enrollment_id: EnrollmentId, marketing: MarketingStub
) -> EnrollmentRead:
    answer = await marketing.StopEnrollment(
        pb.StopEnrollmentRequest(sequence_id=str(sequence_id), enrollment_id=str(enrollment_id))
    )
    return mappers.enrollment_read(answer)
