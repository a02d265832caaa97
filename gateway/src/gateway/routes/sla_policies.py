"""SLA policies, ordered, first match wins (the support service decides access:
module cases, view to read, edit to change); this router only parses, calls and maps.

``position`` orders the policies (1 = tried first); creating or patching a policy with
a position moves it there and shifts the others.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.support.v1 import sla_pb2 as pb
from gateway import mappers_sla as mappers
from gateway.deps import RequireUser, SlaStub, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.sla import (
    SlaPolicyCreate,
    SlaPolicyMatch,
    SlaPolicyPage,
    SlaPolicyRead,
    SlaPolicyUpdate,
)

router = APIRouter(prefix="/sla-policies", tags=["sla"], dependencies=[RequireUser])

PolicyId = Annotated[UUID, Path(alias="id", description="The policy's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, policy: SlaPolicyRead) -> SlaPolicyRead:
    response.headers["ETag"] = etag(policy.version)
    return policy


@router.get("", responses=problem_responses(401, 403, 422), summary="SLA policies in match order")
async def list_sla_policies(
    sla: SlaStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    active: bool | None = None,
) -> SlaPolicyPage:
    request = mappers.list_policies_request(limit, cursor, active=active)
    return mappers.policy_page(await sla.ListSlaPolicies(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Add an SLA policy",
)
async def create_sla_policy(
    body: SlaPolicyCreate, sla: SlaStub, response: Response
) -> SlaPolicyRead:
    policy = mappers.policy_read(await sla.CreateSlaPolicy(mappers.create_policy_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/sla-policies/{policy.id}"
    return _with_etag(response, policy)


@router.get(
    "/match",
    responses=problem_responses(401, 403, 422),
    summary="Which policy a case with these attributes gets",
)
async def match_sla_policy(
    sla: SlaStub,
    priority: Literal["P1", "P2", "P3", "P4"],
    account_tier: Annotated[str, Query(max_length=100)] = "",
    service_contract_id: UUID | None = None,
) -> SlaPolicyMatch:
    request = pb.MatchSlaPolicyRequest(
        priority=priority,
        account_tier=account_tier,
        service_contract_id=str(service_contract_id) if service_contract_id else "",
    )
    return mappers.match_read(await sla.MatchSlaPolicy(request))


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One SLA policy")
async def get_sla_policy(policy_id: PolicyId, sla: SlaStub, response: Response) -> SlaPolicyRead:
    message = await sla.GetSlaPolicy(pb.GetSlaPolicyRequest(id=str(policy_id)))
    return _with_etag(response, mappers.policy_read(message))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (position reorders)",
)
async def update_sla_policy(
    policy_id: PolicyId,
    body: SlaPolicyUpdate,
    sla: SlaStub,
    response: Response,
    if_match: IfMatch = None,
) -> SlaPolicyRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_policy_request(str(policy_id), body, version)
    return _with_etag(response, mappers.policy_read(await sla.UpdateSlaPolicy(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete an SLA policy (the ones after it move up)",
)
async def delete_sla_policy(
    policy_id: PolicyId, sla: SlaStub, if_match: IfMatch = None
) -> Response:
    version = expected_version(if_match, None)
    await sla.DeleteSlaPolicy(
        pb.DeleteSlaPolicyRequest(id=str(policy_id), expected_version=version)
    )
    return Response(status_code=204)
