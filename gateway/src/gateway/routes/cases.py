"""Cases (the support service decides access, module cases), their comments."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Header, Path, Query, Response

from crm.support.v1 import cases_pb2 as pb
from gateway import mappers_cases as mappers
from gateway.deps import CaseStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.cases import (
    CaseAction,
    CaseAssign,
    CaseCreate,
    CasePage,
    CaseRead,
    CaseUpdate,
    CommentCreate,
    CommentPage,
    CommentRead,
    Priority,
    SlaStatus,
    Status,
)
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(prefix="/cases", tags=["cases"], dependencies=[RequireUser])

CaseId = Annotated[UUID, Path(alias="id", description="The case's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
OptionalAction = Annotated[CaseAction | None, Body()]
CHANGE = problem_responses(401, 403, 404, 409, 413, 422)


def _with_etag(response: Response, case: CaseRead) -> CaseRead:
    response.headers["ETag"] = etag(case.version)
    return case


@router.get("", responses=problem_responses(401, 403, 422), summary="Cases you may see")
async def list_cases(
    cases: CaseStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: Status | None = None,
    priority: Priority | None = None,
    owner_id: UUID | None = None,
    group_id: UUID | None = None,
    account_id: UUID | None = None,
    sla_status: SlaStatus | None = None,
) -> CasePage:
    filters = {
        "status": status, "priority": priority, "owner_id": owner_id, "group_id": group_id,
        "account_id": account_id, "sla_status": sla_status,
    }  # fmt: skip
    request = mappers.list_cases_request(limit, cursor, filters)
    return mappers.case_page(await cases.ListCases(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Open a case, numbered CS-<year>-000001; its SLA policy sets the due times",
)
async def create_case(body: CaseCreate, cases: CaseStub, response: Response) -> CaseRead:
    case = mappers.case_read(await cases.CreateCase(mappers.create_case_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/cases/{case.id}"
    return _with_etag(response, case)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One case")
async def get_case(case_id: CaseId, cases: CaseStub, response: Response) -> CaseRead:
    found = await cases.GetCase(pb.GetCaseRequest(id=str(case_id)))
    return _with_etag(response, mappers.case_read(found))


@router.patch(
    "/{id}",
    responses=CHANGE,
    summary="Change the fields present in the body (status: by the transition table)",
)
async def update_case(
    case_id: CaseId,
    body: CaseUpdate,
    cases: CaseStub,
    response: Response,
    if_match: IfMatch = None,
) -> CaseRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_case_request(str(case_id), body, version)
    return _with_etag(response, mappers.case_read(await cases.UpdateCase(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete the case (recycle bin)",
)
async def delete_case(case_id: CaseId, cases: CaseStub, if_match: IfMatch = None) -> Response:
    version = expected_version(if_match, None)
    await cases.DeleteCase(pb.CaseActionRequest(id=str(case_id), expected_version=version))
    return Response(status_code=204)


def _action(rpc_name: str, path: str, summary: str) -> None:
    """One POST /cases/{id}/<path> calling CaseService.<rpc_name>."""

    async def endpoint(
        case_id: CaseId,
        cases: CaseStub,
        response: Response,
        body: OptionalAction = None,
        if_match: IfMatch = None,
    ) -> CaseRead:
        version = expected_version(if_match, body.version if body else None)
        request = pb.CaseActionRequest(id=str(case_id), expected_version=version)
        case = await getattr(cases, rpc_name)(request)
        return _with_etag(response, mappers.case_read(case))

    endpoint.__name__ = f"{path}_case"
    router.post(
        f"/{{id}}/{path}", dependencies=[UserIdempotency], responses=CHANGE, summary=summary
    )(endpoint)


_action("ResolveCase", "resolve", "Resolve the case (fulfils the resolution target)")
_action("CloseCase", "close", "Close the case")
_action("ReopenCase", "reopen", "Reopen a resolved or closed case (409 after reopen_days)")


@router.post(
    "/{id}/assign",
    dependencies=[UserIdempotency],
    responses=CHANGE,
    summary="Give the case to a user, or to a group's user by round robin or least loaded",
)
async def assign_case(
    case_id: CaseId,
    body: CaseAssign,
    cases: CaseStub,
    response: Response,
    if_match: IfMatch = None,
) -> CaseRead:
    version = expected_version(if_match, body.version)
    request = mappers.assign_case_request(str(case_id), body, version)
    return _with_etag(response, mappers.case_read(await cases.AssignCase(request)))


@router.get(
    "/{id}/comments",
    responses=problem_responses(401, 403, 404, 422),
    summary="The case's comments, oldest first (internal ones need cases:edit)",
)
async def list_comments(
    case_id: CaseId,
    cases: CaseStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> CommentPage:
    request = pb.ListCommentsRequest(case_id=str(case_id), page=page_request(limit, cursor))
    return mappers.comment_page(await cases.ListComments(request))


@router.post(
    "/{id}/comments",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=CHANGE,
    summary="Comment; the first public agent comment fulfils first response",
)
async def add_comment(case_id: CaseId, body: CommentCreate, cases: CaseStub) -> CommentRead:
    comment = await cases.AddComment(mappers.add_comment_request(str(case_id), body))
    return mappers.comment_read(comment)
