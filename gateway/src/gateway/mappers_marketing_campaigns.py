"""Campaigns, templates, consent, sequences: pb2 <-> schema conversion."""

from __future__ import annotations

from typing import Any

from crm.marketing.v1 import marketing_pb2 as pb
from gateway.mappers_marketing import _plain
from gateway.schemas.marketing_campaigns import (
    CampaignCreate,
    CampaignRead,
    CampaignReportRead,
    CampaignUpdate,
    ConsentRead,
    EmailTemplateCreate,
    EmailTemplateRead,
    Enrolled,
    EnrollmentRead,
    MemberRead,
    SequenceCreate,
    SequenceRead,
    SequenceUpdate,
)

REPORT_OPTIONAL = frozenset({"cost_per_lead"})


def _wire(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def campaign_body(body: CampaignCreate | CampaignUpdate) -> pb.CampaignBody:
    names = body.model_fields_set if isinstance(body, CampaignUpdate) else body.model_fields.keys()
    values = {
        name: _wire(getattr(body, name))
        for name in names
        if name != "version" and getattr(body, name) is not None
    }
    return pb.CampaignBody(**values)


def campaign_read(message: pb.Campaign) -> CampaignRead:
    data = _plain(message)
    data["start"] = data["start"] or None
    data["end"] = data["end"] or None
    return CampaignRead.model_validate(data)


def member_read(message: pb.CampaignMember) -> MemberRead:
    return MemberRead.model_validate(_plain(message))


def report_read(message: pb.CampaignReport) -> CampaignReportRead:
    data = _plain(message)
    data["cost_per_lead"] = data["cost_per_lead"] or None
    return CampaignReportRead.model_validate(data)


def template_body(body: EmailTemplateCreate) -> pb.EmailTemplateBody:
    return pb.EmailTemplateBody(
        name=body.name, default_language=body.default_language,
        variants=[pb.TemplateVariant(**v.model_dump()) for v in body.variants],
    )  # fmt: skip


def template_read(message: pb.EmailTemplate) -> EmailTemplateRead:
    return EmailTemplateRead.model_validate(_plain(message))


def consent_read(message: pb.Consent) -> ConsentRead:
    return ConsentRead.model_validate(_plain(message))


def sequence_body(body: SequenceCreate | SequenceUpdate) -> pb.SequenceBody:
    message = pb.SequenceBody()
    for name in ("name", "status", "delay_unit"):
        value = getattr(body, name)
        if value is not None:
            setattr(message, name, value)
    if body.steps is not None:
        message.replace_steps = True
        message.steps.extend(
            pb.SequenceStep(delay_days=s.delay_days, template_id=s.template_id) for s in body.steps
        )
    return message


def sequence_read(message: pb.Sequence) -> SequenceRead:
    return SequenceRead.model_validate(_plain(message))


def enrollment_read(message: pb.Enrollment) -> EnrollmentRead:
    return EnrollmentRead.model_validate(_plain(message))


def enrolled(message: pb.EnrollInSequenceResponse) -> Enrolled:
    return Enrolled(
        enrolled=[enrollment_read(e) for e in message.enrolled],
        already=message.already, unknown_ids=list(message.unknown_ids),
    )  # fmt: skip
