"""Sharing: org-wide defaults per module and rules that share records between
roles and groups. ``/defaults`` is declared before ``/{id}`` so it is not an id."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from crm.identity.v1 import access_pb2 as pb
from gateway import mappers_access as mappers
from gateway.deps import AccessStub, RequireUser, UserIdempotency
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.access import (
    SharingDefaults,
    SharingRuleCreate,
    SharingRulePage,
    SharingRuleRead,
)
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(prefix="/sharing-rules", tags=["sharing"], dependencies=[RequireUser])

RuleId = Annotated[UUID, Path(alias="id", description="The sharing rule's id (UUID)")]


@router.get(
    "/defaults",
    responses=problem_responses(401, 403, 422),
    summary="Org-wide default of every module (private when never set)",
)
async def get_defaults(access: AccessStub) -> SharingDefaults:
    return mappers.sharing_defaults(await access.GetSharingDefaults(pb.GetSharingDefaultsRequest()))


@router.put(
    "/defaults",
    responses=problem_responses(401, 403, 413, 422),
    summary="Set the defaults of the modules given; answers every module's default",
)
async def set_defaults(body: SharingDefaults, access: AccessStub) -> SharingDefaults:
    answer = await access.SetSharingDefaults(mappers.sharing_defaults_pb(body))
    return mappers.sharing_defaults(answer)


@router.get("", responses=problem_responses(401, 403, 422), summary="Sharing rules")
async def list_rules(
    access: AccessStub,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> SharingRulePage:
    answer = await access.ListSharingRules(mappers.list_request(limit, cursor))
    return mappers.sharing_rule_page(answer)


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Share a module's records owned by a role or group with another",
)
async def create_rule(
    body: SharingRuleCreate, access: AccessStub, response: Response
) -> SharingRuleRead:
    rule = await access.CreateSharingRule(mappers.sharing_rule_input(body))
    read = mappers.sharing_rule_read(rule)
    response.headers["Location"] = f"{API_PREFIX}/sharing-rules/{read.id}"
    return read


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One sharing rule")
async def get_rule(rule_id: RuleId, access: AccessStub) -> SharingRuleRead:
    return mappers.sharing_rule_read(
        await access.GetSharingRule(pb.GetByIdRequest(id=str(rule_id)))
    )


@router.delete(
    "/{id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 422),
    summary="Delete a sharing rule",
)
async def delete_rule(rule_id: RuleId, access: AccessStub) -> Response:
    await access.DeleteSharingRule(pb.GetByIdRequest(id=str(rule_id)))
    return Response(status_code=204)
