"""Campaigns, their members, launch/complete and the report (the marketing
service decides access: module campaigns; launching e-mail: email_campaigns)."""

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
    CampaignCreate,
    CampaignPage,
    CampaignRead,
    CampaignReportRead,
    CampaignUpdate,
    MemberPage,
    MemberRead,
    MembersAdd,
    MembersAdded,
    MemberStatus,
    MemberUpdate,
    VersionBody,
)

router = APIRouter(prefix="/campaigns", tags=["campaigns"], dependencies=[RequireUser])

CampaignId = Annotated[UUID, Path(alias="id", description="The campaign's id (UUID)")]
MemberId = Annotated[UUID, Path(alias="member_id", description="The member's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
Limit = Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)]


def _with_etag(response: Response, campaign: CampaignRead) -> CampaignRead:
    response.headers["ETag"] = etag(campaign.version)
    return campaign


@router.get("", responses=problem_responses(401, 403, 422), summary="Campaigns")
async def list_campaigns(
    marketing: MarketingStub,
    *,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: Annotated[str | None, Query(pattern="^(planned|active|completed|aborted)$")] = None,
    type: Annotated[str | None, Query(pattern="^(email|webinar|trade_show|ads|other)$")] = None,
) -> CampaignPage:
    request = pb.ListCampaignsRequest(
        page=page_request(limit, cursor), status=status or "", type=type or ""
    )
    answer = await marketing.ListCampaigns(request)
    return CampaignPage(
        items=[mappers.campaign_read(c) for c in answer.items],
        next_cursor=answer.page.next_cursor or None,
    )


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Plan a campaign",
)
async def create_campaign(
    body: CampaignCreate, marketing: MarketingStub, response: Response
) -> CampaignRead:
    answer = await marketing.CreateCampaign(
        pb.CreateCampaignRequest(campaign=mappers.campaign_body(body))
    )
    campaign = mappers.campaign_read(answer)
    response.headers["Location"] = f"{API_PREFIX}/campaigns/{campaign.id}"
    return _with_etag(response, campaign)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One campaign")
async def get_campaign(
    campaign_id: CampaignId, marketing: MarketingStub, response: Response
) -> CampaignRead:
    answer = await marketing.GetCampaign(pb.GetCampaignRequest(id=str(campaign_id)))
    return _with_etag(response, mappers.campaign_read(answer))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body",
)
async def update_campaign(
    campaign_id: CampaignId,
    body: CampaignUpdate,
    marketing: MarketingStub,
    response: Response,
    if_match: IfMatch = None,
) -> CampaignRead:
    request = pb.UpdateCampaignRequest(
        id=str(campaign_id),
        campaign=mappers.campaign_body(body),
        expected_version=expected_version(if_match, body.version),
    )
    return _with_etag(response, mappers.campaign_read(await marketing.UpdateCampaign(request)))


@router.delete(
    "/{id}", status_code=204, responses=problem_responses(401, 403, 404, 422), summary="Delete"
)
async def delete_campaign(campaign_id: CampaignId, marketing: MarketingStub) -> Response:
    await marketing.DeleteCampaign(pb.DeleteCampaignRequest(id=str(campaign_id)))
    return Response(status_code=204)


@router.post(
    "/{id}/launch",
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Launch: an e-mail campaign mails every member (throttled, consent checked)",
)
async def launch_campaign(
    campaign_id: CampaignId,
    marketing: MarketingStub,
    response: Response,
    body: VersionBody | None = None,
    if_match: IfMatch = None,
) -> CampaignRead:
    version = expected_version(if_match, body.version if body else None)
    answer = await marketing.LaunchCampaign(
        pb.LaunchCampaignRequest(id=str(campaign_id), expected_version=version)
    )
    return _with_etag(response, mappers.campaign_read(answer))


@router.post(
    "/{id}/complete",
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Mark an active campaign completed",
)
async def complete_campaign(
    campaign_id: CampaignId,
    marketing: MarketingStub,
    response: Response,
    body: VersionBody | None = None,
    if_match: IfMatch = None,
) -> CampaignRead:
    version = expected_version(if_match, body.version if body else None)
    answer = await marketing.CompleteCampaign(
        pb.CompleteCampaignRequest(id=str(campaign_id), expected_version=version)
    )
    return _with_etag(response, mappers.campaign_read(answer))


@router.get(
    "/{id}/report",
    responses=problem_responses(401, 403, 404, 422),
    summary="Reach, rates, cost per lead and attributed revenue",
)
async def campaign_report(campaign_id: CampaignId, marketing: MarketingStub) -> CampaignReportRead:
    answer = await marketing.GetCampaignReport(pb.GetCampaignReportRequest(id=str(campaign_id)))
    return mappers.report_read(answer)


@router.get("/{id}/members", responses=problem_responses(401, 403, 404, 422), summary="Members")
async def list_members(
    campaign_id: CampaignId,
    marketing: MarketingStub,
    *,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: Annotated[
        str | None,
        Query(pattern="^(targeted|sent|opened|clicked|responded|unsubscribed|bounced)$"),
    ] = None,
) -> MemberPage:
    request = pb.ListCampaignMembersRequest(
        campaign_id=str(campaign_id), page=page_request(limit, cursor), status=status or ""
    )
    answer = await marketing.ListCampaignMembers(request)
    return MemberPage(
        items=[mappers.member_read(m) for m in answer.items],
        next_cursor=answer.page.next_cursor or None,
    )


@router.post(
    "/{id}/members",
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Add leads, contacts or a segment's current members",
)
async def add_members(
    campaign_id: CampaignId, body: MembersAdd, marketing: MarketingStub
) -> MembersAdded:
    answer = await marketing.AddCampaignMembers(
        pb.AddCampaignMembersRequest(
            campaign_id=str(campaign_id),
            lead_ids=body.lead_ids,
            contact_ids=body.contact_ids,
            segment_id=body.segment_id or "",
        )
    )
    return MembersAdded(
        added=answer.added, already=answer.already, unknown_ids=list(answer.unknown_ids)
    )


@router.patch(
    "/{id}/members/{member_id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Move a member's status forward (e.g. responded)",
)
async def update_member(
    campaign_id: CampaignId, member_id: MemberId, body: MemberUpdate, marketing: MarketingStub
) -> MemberRead:
    status: MemberStatus = body.status
    answer = await marketing.UpdateCampaignMember(
        pb.UpdateCampaignMemberRequest(
            campaign_id=str(campaign_id), member_id=str(member_id), status=status
        )
    )
    return mappers.member_read(answer)


@router.delete(
    "/{id}/members/{member_id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 422),
    summary="Remove a member",
)
async def remove_member(
    campaign_id: CampaignId, member_id: MemberId, marketing: MarketingStub
) -> Response:
    await marketing.RemoveCampaignMember(
        pb.RemoveCampaignMemberRequest(campaign_id=str(campaign_id), member_id=str(member_id))
    )
    return Response(status_code=204)
