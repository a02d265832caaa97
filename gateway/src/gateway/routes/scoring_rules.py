"""Scoring rules (fit and engagement) and the tenant's marketing settings (MQL
threshold, e-mail throttle, time zone); module campaigns."""

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
    MarketingSettingsRead,
    MarketingSettingsUpdate,
    ScoringRuleCreate,
    ScoringRulePage,
    ScoringRuleRead,
    ScoringRuleUpdate,
)

router = APIRouter(tags=["scoring"], dependencies=[RequireUser])

RuleId = Annotated[UUID, Path(alias="id", description="The rule's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, rule: ScoringRuleRead) -> ScoringRuleRead:
    response.headers["ETag"] = etag(rule.version)
    return rule


@router.get(
    "/marketing-settings", responses=problem_responses(401, 403), summary="Marketing settings"
)
async def get_settings(marketing: MarketingStub) -> MarketingSettingsRead:
    answer = await marketing.GetMarketingSettings(pb.GetMarketingSettingsRequest())
    return mappers.settings_read(answer)


@router.patch(
    "/marketing-settings",
    responses=problem_responses(401, 403, 409, 422),
    summary="Change the MQL threshold, the e-mail throttle or the time zone",
)
async def update_settings(
    body: MarketingSettingsUpdate, marketing: MarketingStub, if_match: IfMatch = None
) -> MarketingSettingsRead:
    request = mappers.settings_request(body, expected_version(if_match, body.version))
    return mappers.settings_read(await marketing.UpdateMarketingSettings(request))


@router.get("/scoring-rules", responses=problem_responses(401, 403, 422), summary="Scoring rules")
async def list_rules(
    marketing: MarketingStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> ScoringRulePage:
    request = pb.ListScoringRulesRequest(page=page_request(limit, cursor))
    return mappers.rule_page(await marketing.ListScoringRules(request))


@router.post(
    "/scoring-rules",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Add a scoring rule (the tenant's prospects are rescored)",
)
async def create_rule(
    body: ScoringRuleCreate, marketing: MarketingStub, response: Response
) -> ScoringRuleRead:
    answer = await marketing.CreateScoringRule(
        pb.CreateScoringRuleRequest(rule=mappers.rule_body(body))
    )
    rule = mappers.rule_read(answer)
    response.headers["Location"] = f"{API_PREFIX}/scoring-rules/{rule.id}"
    return _with_etag(response, rule)


@router.get(
    "/scoring-rules/{id}", responses=problem_responses(401, 403, 404, 422), summary="One rule"
)
async def get_rule(
    rule_id: RuleId, marketing: MarketingStub, response: Response
) -> ScoringRuleRead:
    answer = await marketing.GetScoringRule(pb.GetScoringRuleRequest(id=str(rule_id)))
    return _with_etag(response, mappers.rule_read(answer))


@router.put(
    "/scoring-rules/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Replace a scoring rule",
)
async def update_rule(
    rule_id: RuleId,
    body: ScoringRuleUpdate,
    marketing: MarketingStub,
    response: Response,
    if_match: IfMatch = None,
) -> ScoringRuleRead:
    request = pb.UpdateScoringRuleRequest(
        id=str(rule_id),
        rule=mappers.rule_body(body),
        expected_version=expected_version(if_match, body.version),
    )
    return _with_etag(response, mappers.rule_read(await marketing.UpdateScoringRule(request)))


@router.delete(
    "/scoring-rules/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 422),
    summary="Delete a scoring rule",
)
async def delete_rule(rule_id: RuleId, marketing: MarketingStub) -> Response:
    await marketing.DeleteScoringRule(pb.DeleteScoringRuleRequest(id=str(rule_id)))
    return Response(status_code=204)
