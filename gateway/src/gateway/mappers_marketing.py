"""Marketing (segments, scoring, engagements): pb2 <-> schema conversion."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from crm.marketing.v1 import marketing_pb2 as pb
from crm_common.wire import to_timestamp
from gateway.proto_json import plain
from gateway.schemas.marketing import (
    EngagementCreate,
    EngagementPage,
    EngagementRead,
    MarketingSettingsRead,
    MarketingSettingsUpdate,
    ProspectPage,
    ProspectRead,
    ScoringRuleCreate,
    ScoringRulePage,
    ScoringRuleRead,
    SegmentCreate,
    SegmentPage,
    SegmentRead,
)

OPTIONAL = frozenset({
    "owner_id", "lead_id", "contact_id", "campaign_id", "created_by", "updated_by",
    "template_id", "segment_id", "sequence_id", "enrollment_id",
})  # fmt: skip


def _plain(message: Message) -> dict[str, Any]:
    return plain(message, OPTIONAL)


def _next(page: Any) -> str | None:
    return page.next_cursor or None


# ---- segments ----


def segment_body(body: SegmentCreate) -> pb.SegmentBody:
    data = body.model_dump(exclude={"version"}, exclude_none=True)
    data["conditions"] = [pb.Condition(**c) for c in data.get("conditions", [])]
    return pb.SegmentBody(**data)


def segment_read(message: pb.Segment) -> SegmentRead:
    return SegmentRead.model_validate(_plain(message))


def segment_page(answer: pb.ListSegmentsResponse) -> SegmentPage:
    return SegmentPage(
        items=[segment_read(s) for s in answer.items], next_cursor=_next(answer.page)
    )


def prospect_page(answer: pb.ListProspectsResponse) -> ProspectPage:
    items = [ProspectRead.model_validate(_plain(p)) for p in answer.items]
    return ProspectPage(items=items, next_cursor=_next(answer.page))


# ---- scoring ----


def rule_body(body: ScoringRuleCreate) -> pb.ScoringRuleBody:
    return pb.ScoringRuleBody(**body.model_dump(exclude={"version"}, exclude_none=True))


def rule_read(message: pb.ScoringRule) -> ScoringRuleRead:
    return ScoringRuleRead.model_validate(_plain(message))


def rule_page(answer: pb.ListScoringRulesResponse) -> ScoringRulePage:
    return ScoringRulePage(
        items=[rule_read(r) for r in answer.items], next_cursor=_next(answer.page)
    )


def settings_request(
    body: MarketingSettingsUpdate, version: int
) -> pb.UpdateMarketingSettingsRequest:
    data = body.model_dump(exclude={"version"}, exclude_none=True)
    return pb.UpdateMarketingSettingsRequest(expected_version=version, **data)


def settings_read(message: pb.MarketingSettings) -> MarketingSettingsRead:
    return MarketingSettingsRead.model_validate(_plain(message))


# ---- engagements ----


def engagement_request(body: EngagementCreate) -> pb.CreateEngagementRequest:
    request = pb.CreateEngagementRequest(
        lead_id=body.lead_id or "", contact_id=body.contact_id or "", type=body.type,
        campaign_id=body.campaign_id or "",
    )  # fmt: skip
    stamp = to_timestamp(body.occurred_at)
    if stamp is not None:
        request.occurred_at.CopyFrom(stamp)
    return request


def engagement_read(message: pb.Engagement) -> EngagementRead:
    return EngagementRead.model_validate(_plain(message))


def engagement_page(answer: pb.ListEngagementsResponse) -> EngagementPage:
    items = [engagement_read(e) for e in answer.items]
    return EngagementPage(items=items, next_cursor=_next(answer.page))
