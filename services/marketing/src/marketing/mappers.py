"""pb2 <-> rows and inputs: the one place they meet."""

from __future__ import annotations

import uuid
from typing import Any

from crm.common.v1 import types_pb2
from crm.marketing.v1 import marketing_pb2 as pb
from crm_common.pagination import Page
from crm_common.wire import parse_uuid, time_field, to_timestamp
from marketing.adapters.orm import EngagementRow, ScoringRuleRow, SegmentRow
from marketing.domain.conditions import Condition
from marketing.domain.segments import Definition
from marketing.service_layer.common import TenantSettings
from marketing.service_layer.engagements import EngagementInput
from marketing.service_layer.scoring_rules import RuleInput
from marketing.service_layer.segments import ProspectView, SegmentInput


def page_to_pb(page: Page[Any]) -> types_pb2.PageResponse:
    return types_pb2.PageResponse(next_cursor=page.next_cursor or "")


def opt_uuid(value: str, field: str) -> uuid.UUID | None:
    return parse_uuid(value, field) if value else None


def _s(value: object) -> str:
    return str(value) if value is not None else ""


# ---- prospects ----


def prospect_to_pb(view: ProspectView) -> pb.Prospect:
    p = view.row
    return pb.Prospect(
        id=str(p.id), kind=p.kind, email=p.email, first_name=p.first_name,
        last_name=p.last_name, company=p.company, title=p.title, industry=p.industry,
        employees=p.employees, country=p.country, language=p.language, status=p.status,
        tags=list(p.tags or []), owner_id=_s(p.owner_id), score=p.score, fit_score=p.fit_score,
        engagement_score=p.engagement_score, last_engaged_at=to_timestamp(p.last_engaged_at),
        consent=view.consent,
    )  # fmt: skip


# ---- segments ----


def segment_input(body: pb.SegmentBody) -> SegmentInput:
    conditions = tuple(Condition(c.field, c.op, c.value, tuple(c.values)) for c in body.conditions)
    definition = Definition(
        kind=body.kind or "any", match=body.match or "all", conditions=conditions,
        min_score=body.min_score if body.HasField("min_score") else None,
        max_score=body.max_score if body.HasField("max_score") else None,
        tags_any=tuple(body.tags_any), tags_all=tuple(body.tags_all),
        engaged_within_days=(
            body.engaged_within_days if body.HasField("engaged_within_days") else None
        ),
        engagement_types=tuple(body.engagement_types),
    )  # fmt: skip
    return SegmentInput(body.name, body.description, definition)


def segment_to_pb(row: SegmentRow) -> pb.Segment:
    d = Definition.from_json(row.definition)
    message = pb.Segment(
        id=str(row.id), tenant_id=str(row.tenant_id), name=row.name, description=row.description,
        kind=d.kind, match=d.match,
        conditions=[pb.Condition(field=c.field, op=c.op, value=c.value, values=list(c.values))
                    for c in d.conditions],
        tags_any=list(d.tags_any), tags_all=list(d.tags_all),
        engagement_types=list(d.engagement_types), owner_id=_s(row.owner_id),
        version=row.version, created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
    )  # fmt: skip
    if d.min_score is not None:
        message.min_score = d.min_score
    if d.max_score is not None:
        message.max_score = d.max_score
    if d.engaged_within_days is not None:
        message.engaged_within_days = d.engaged_within_days
    return message


# ---- scoring ----


def rule_input(body: pb.ScoringRuleBody) -> RuleInput:
    return RuleInput(
        name=body.name, kind=body.kind, active=body.active if body.HasField("active") else True,
        field=body.field, op=body.op, value=body.value, values=tuple(body.values),
        engagement_type=body.engagement_type, points=body.points, max_points=body.max_points,
        half_life_days=body.half_life_days,
    )  # fmt: skip


def rule_to_pb(row: ScoringRuleRow) -> pb.ScoringRule:
    return pb.ScoringRule(
        id=str(row.id), tenant_id=str(row.tenant_id), name=row.name, kind=row.kind,
        active=row.active, field=row.field, op=row.op, value=row.value,
        values=list(row.values or []), engagement_type=row.engagement_type, points=row.points,
        max_points=row.max_points, half_life_days=row.half_life_days, version=row.version,
        created_at=to_timestamp(row.created_at), updated_at=to_timestamp(row.updated_at),
    )  # fmt: skip


def settings_to_pb(s: TenantSettings) -> pb.MarketingSettings:
    return pb.MarketingSettings(
        mql_threshold=s.mql_threshold, mails_per_minute=s.mails_per_minute,
        timezone=s.timezone, version=s.version,
    )  # fmt: skip


# ---- engagements ----


def engagement_input(r: pb.CreateEngagementRequest) -> EngagementInput:
    return EngagementInput(
        lead_id=opt_uuid(r.lead_id, "lead_id"), contact_id=opt_uuid(r.contact_id, "contact_id"),
        type=r.type, occurred_at=time_field(r, "occurred_at"),
        campaign_id=opt_uuid(r.campaign_id, "campaign_id"),
    )  # fmt: skip


def engagement_to_pb(row: EngagementRow) -> pb.Engagement:
    lead = row.prospect_kind == "lead"
    return pb.Engagement(
        id=str(row.id), tenant_id=str(row.tenant_id),
        lead_id=str(row.prospect_id) if lead else "",
        contact_id="" if lead else str(row.prospect_id), type=row.type,
        occurred_at=to_timestamp(row.occurred_at), campaign_id=_s(row.campaign_id),
        source=row.source, score=row.score, created_at=to_timestamp(row.created_at),
    )  # fmt: skip


# ---- consent, templates ----


def consent_to_pb(row: Any) -> pb.Consent:
    return pb.Consent(email=row.email, status=row.status, reason=row.reason,
                      updated_at=to_timestamp(row.updated_at))  # fmt: skip


def template_input(body: pb.EmailTemplateBody) -> Any:
    from marketing.domain.rendering import Variant
    from marketing.service_layer.templates import TemplateInput

    variants = tuple(
        Variant(v.language, v.subject, v.html_body, v.text_body) for v in body.variants
    )
    return TemplateInput(body.name, body.default_language or "en", variants)


def template_to_pb(row: Any) -> pb.EmailTemplate:
    return pb.EmailTemplate(
        id=str(row.id), tenant_id=str(row.tenant_id), name=row.name,
        default_language=row.default_language,
        variants=[pb.TemplateVariant(**v) for v in row.variants or []],
        owner_id=_s(row.owner_id), version=row.version,
        created_at=to_timestamp(row.created_at), updated_at=to_timestamp(row.updated_at),
    )  # fmt: skip


# ---- campaigns ----

CAMPAIGN_FIELDS = (
    "name", "type", "status", "start", "end", "budget", "actual_cost", "expected_revenue",
    "currency", "description", "template_id", "segment_id",
)  # fmt: skip


def campaign_values(body: pb.CampaignBody) -> dict[str, str]:
    return {name: getattr(body, name) for name in CAMPAIGN_FIELDS if body.HasField(name)}


def _money(value: Any) -> str:
    return f"{value:f}" if value is not None else "0"


def campaign_to_pb(row: Any) -> pb.Campaign:
    return pb.Campaign(
        id=str(row.id), tenant_id=str(row.tenant_id), name=row.name, type=row.type,
        status=row.status, start=row.start.isoformat() if row.start else "",
        end=row.end.isoformat() if row.end else "", budget=_money(row.budget),
        actual_cost=_money(row.actual_cost), expected_revenue=_money(row.expected_revenue),
        currency=row.currency, description=row.description, template_id=_s(row.template_id),
        segment_id=_s(row.segment_id), owner_id=_s(row.owner_id),
        launched_at=to_timestamp(row.launched_at), completed_at=to_timestamp(row.completed_at),
        version=row.version, created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
    )  # fmt: skip


def member_to_pb(row: Any) -> pb.CampaignMember:
    lead = row.prospect_kind == "lead"
    return pb.CampaignMember(
        id=str(row.id), campaign_id=str(row.campaign_id),
        lead_id=str(row.prospect_id) if lead else "",
        contact_id="" if lead else str(row.prospect_id), email=row.email, status=row.status,
        sent_at=to_timestamp(row.sent_at), opened_at=to_timestamp(row.opened_at),
        clicked_at=to_timestamp(row.clicked_at), responded_at=to_timestamp(row.responded_at),
        bounced_at=to_timestamp(row.bounced_at),
        unsubscribed_at=to_timestamp(row.unsubscribed_at), created_at=to_timestamp(row.created_at),
    )  # fmt: skip


def uuids(values: Any, field: str) -> list[uuid.UUID]:
    return [parse_uuid(v, field) for v in values]


def report_to_pb(r: Any) -> pb.CampaignReport:
    c = r.campaign
    return pb.CampaignReport(
        campaign_id=str(c.id), members=r.members, reach=r.reach, sent=r.sent, opened=r.opened,
        clicked=r.clicked, responded=r.responded, bounced=r.bounced,
        unsubscribed=r.unsubscribed, sent_rate=r.rate(r.sent), open_rate=r.rate(r.opened),
        click_rate=r.rate(r.clicked), response_rate=r.rate(r.responded),
        bounce_rate=r.rate(r.bounced), unsubscribe_rate=r.rate(r.unsubscribed), leads=r.leads,
        actual_cost=_money(c.actual_cost), cost_per_lead=r.cost_per_lead, currency=c.currency,
        won_deals=r.won_deals, attributed_revenue=_money(r.attributed),
        attributed_other_currencies=[
            types_pb2.Money(amount=_money(a), currency=cur) for cur, a in sorted(r.other.items())
        ],
        budget=_money(c.budget), expected_revenue=_money(c.expected_revenue),
    )  # fmt: skip


# ---- sequences ----


def sequence_input(body: pb.SequenceBody, creating: bool) -> Any:
    from marketing.service_layer.sequences import SequenceInput, Step

    steps = None
    if creating or body.replace_steps or body.steps:
        steps = tuple(
            Step(s.delay_days, parse_uuid(s.template_id, f"steps[{i}].template_id"))
            for i, s in enumerate(body.steps)
        )
    return SequenceInput(
        name=body.name if body.HasField("name") else None,
        status=body.status if body.HasField("status") else None,
        delay_unit=body.delay_unit if body.HasField("delay_unit") else None, steps=steps,
    )  # fmt: skip


def sequence_to_pb(row: Any) -> pb.Sequence:
    return pb.Sequence(
        id=str(row.id), tenant_id=str(row.tenant_id), name=row.name, status=row.status,
        delay_unit=row.delay_unit,
        steps=[pb.SequenceStep(position=int(s["position"]), delay_days=int(s["delay_days"]),
                               template_id=s["template_id"]) for s in row.steps or []],
        owner_id=_s(row.owner_id), version=row.version, created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
    )  # fmt: skip


def enrollment_to_pb(row: Any) -> pb.Enrollment:
    lead = row.prospect_kind == "lead"
    return pb.Enrollment(
        id=str(row.id), sequence_id=str(row.sequence_id),
        lead_id=str(row.prospect_id) if lead else "",
        contact_id="" if lead else str(row.prospect_id), status=row.status,
        exit_reason=row.exit_reason, next_step=row.next_step,
        next_run_at=to_timestamp(row.next_run_at), steps_sent=row.steps_sent or 0,
        enrolled_at=to_timestamp(row.enrolled_at), ended_at=to_timestamp(row.ended_at),
    )  # fmt: skip
