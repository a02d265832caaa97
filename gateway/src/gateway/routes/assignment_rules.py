"""Lead assignment rules (the sales service; administrators only). The owning
service decides access; this router only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.sales.v1 import assignment_pb2 as pb
from gateway import mappers_assignment_rules as mappers
from gateway.deps import AssignmentRuleStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.assignment_rules import (
    AssignmentRuleCreate,
    AssignmentRulePage,
    AssignmentRuleRead,
    AssignmentRuleUpdate,
)
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(
    prefix="/assignment-rules", tags=["assignment rules"], dependencies=[RequireUser]
)

RuleId = Annotated[UUID, Path(alias="id", description="The rule's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, rule: AssignmentRuleRead) -> AssignmentRuleRead:
    response.headers["ETag"] = etag(rule.version)
    return rule


@router.get("", responses=problem_responses(401, 403, 422), summary="The rules in evaluation order")
async def list_rules(
    rules: AssignmentRuleStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> AssignmentRulePage:
    return mappers.rule_page(
        await rules.ListAssignmentRules(mappers.list_rules_request(limit, cursor))
    )


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Add a rule: leads created without an owner go to its target when it matches",
)
async def create_rule(
    body: AssignmentRuleCreate, rules: AssignmentRuleStub, response: Response
) -> AssignmentRuleRead:
    rule = mappers.rule_read(await rules.CreateAssignmentRule(mappers.create_rule_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/assignment-rules/{rule.id}"
    return _with_etag(response, rule)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One rule")
async def get_rule(
    rule_id: RuleId, rules: AssignmentRuleStub, response: Response
) -> AssignmentRuleRead:
    rule = await rules.GetAssignmentRule(pb.GetAssignmentRuleRequest(id=str(rule_id)))
    return _with_etag(response, mappers.rule_read(rule))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body",
)
async def update_rule(
    rule_id: RuleId,
    body: AssignmentRuleUpdate,
    rules: AssignmentRuleStub,
    response: Response,
    if_match: IfMatch = None,
) -> AssignmentRuleRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_rule_request(str(rule_id), body, version)
    return _with_etag(response, mappers.rule_read(await rules.UpdateAssignmentRule(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 422),
    summary="Remove the rule",
)
async def delete_rule(rule_id: RuleId, rules: AssignmentRuleStub) -> Response:
    await rules.DeleteAssignmentRule(pb.DeleteAssignmentRuleRequest(id=str(rule_id)))
    return Response(status_code=204)
