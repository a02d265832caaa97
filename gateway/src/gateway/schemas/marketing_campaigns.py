"""Marketing: campaigns, members, reports, e-mail templates, consent and
sequences. Money is a decimal string in the campaign's currency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field
from gateway.schemas.marketing import VERSION_FIELD, Version
from gateway.schemas.products import NotNull

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
DecimalText = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64)]
CampaignType = Literal["email", "webinar", "trade_show", "ads", "other"]
MemberStatus = Literal["sent", "opened", "clicked", "responded", "unsubscribed", "bounced"]
Language = Annotated[str, StringConstraints(min_length=2, max_length=20)]


class CampaignCreate(RequestBody):
    name: Name
    type: CampaignType = "email"
    start: date | None = None
    end: date | None = None
    budget: DecimalText = "0"
    actual_cost: DecimalText = "0"
    expected_revenue: DecimalText = "0"
    currency: Currency = "EUR"
    description: Annotated[str, StringConstraints(max_length=5000)] = ""
    template_id: Id | None = Field(default=None, description="E-mail campaigns: what is sent")
    segment_id: Id | None = Field(default=None, description="Audience added at launch")


class CampaignUpdate(NotNull):
    name: Name | SkipJsonSchema[None] = None
    type: CampaignType | SkipJsonSchema[None] = None
    status: Literal["planned", "aborted"] | SkipJsonSchema[None] = None
    start: date | SkipJsonSchema[None] = None
    end: date | SkipJsonSchema[None] = None
    budget: DecimalText | SkipJsonSchema[None] = None
    actual_cost: DecimalText | SkipJsonSchema[None] = None
    expected_revenue: DecimalText | SkipJsonSchema[None] = None
    currency: Currency | SkipJsonSchema[None] = None
    description: Annotated[str, StringConstraints(max_length=5000)] | SkipJsonSchema[None] = None
    template_id: Id | SkipJsonSchema[None] = None
    segment_id: Id | SkipJsonSchema[None] = None
    version: Version = VERSION_FIELD


class CampaignRead(BaseModel):
    id: str
    tenant_id: str
    name: str
    type: str
    status: str
    start: date | None = None
    end: date | None = None
    budget: str
    actual_cost: str
    expected_revenue: str
    currency: str
    description: str = ""
    template_id: str | None = None
    segment_id: str | None = None
    owner_id: str | None = None
    launched_at: datetime | None = None
    completed_at: datetime | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class CampaignPage(BaseModel):
    items: list[CampaignRead]
    next_cursor: str | None = next_cursor_field()


class VersionBody(RequestBody):
    version: Version = VERSION_FIELD


class MembersAdd(RequestBody):
    lead_ids: list[Id] = Field(default_factory=list, max_length=1000)
    contact_ids: list[Id] = Field(default_factory=list, max_length=1000)
    segment_id: Id | None = Field(default=None, description="Every current member of a segment")


class MembersAdded(BaseModel):
    added: int
    already: int
    unknown_ids: list[str] = Field(default_factory=list)


class MemberUpdate(RequestBody):
    status: MemberStatus


class MemberRead(BaseModel):
    id: str
    campaign_id: str
    lead_id: str | None = None
    contact_id: str | None = None
    email: str = ""
    status: str
    sent_at: datetime | None = None
    opened_at: datetime | None = None
    clicked_at: datetime | None = None
    responded_at: datetime | None = None
    bounced_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    created_at: datetime | None = None


class MemberPage(BaseModel):
    items: list[MemberRead]
    next_cursor: str | None = next_cursor_field()


class MoneyRead(BaseModel):
    amount: str
    currency: str


class CampaignReportRead(BaseModel):
    campaign_id: str
    members: int
    reach: int
    sent: int
    opened: int
    clicked: int
    responded: int
    bounced: int
    unsubscribed: int
    sent_rate: str
    open_rate: str
    click_rate: str
    response_rate: str
    bounce_rate: str
    unsubscribe_rate: str
    leads: int
    actual_cost: str
    cost_per_lead: str | None = None
    currency: str
    won_deals: int
    attributed_revenue: str
    attributed_other_currencies: list[MoneyRead] = Field(default_factory=list)
    budget: str
    expected_revenue: str


class VariantBody(RequestBody):
    language: Language
    subject: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    html_body: Annotated[str, StringConstraints(max_length=200_000)] = ""
    text_body: Annotated[str, StringConstraints(max_length=200_000)] = ""


class EmailTemplateCreate(RequestBody):
    name: Name
    default_language: Language = "en"
    variants: list[VariantBody] = Field(min_length=1, max_length=30)


class EmailTemplateUpdate(EmailTemplateCreate):
    version: Version = VERSION_FIELD


class VariantRead(BaseModel):
    language: str
    subject: str
    html_body: str = ""
    text_body: str = ""


class EmailTemplateRead(BaseModel):
    id: str
    tenant_id: str
    name: str
    default_language: str
    variants: list[VariantRead]
    owner_id: str | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class EmailTemplatePage(BaseModel):
    items: list[EmailTemplateRead]
    next_cursor: str | None = next_cursor_field()


class ConsentSet(RequestBody):
    email: Annotated[str, StringConstraints(min_length=3, max_length=254)]
    status: Literal["subscribed", "unsubscribed", "suppressed"]
    reason: Literal["manual", "unsubscribe_link", "bounce", "complaint"] = "manual"


class ConsentRead(BaseModel):
    email: str
    status: str
    reason: str
    updated_at: datetime | None = None


class ConsentPage(BaseModel):
    items: list[ConsentRead]
    next_cursor: str | None = next_cursor_field()


class StepBody(RequestBody):
    delay_days: Annotated[int, Field(ge=0, le=365)] = Field(
        description="After enrolment (first step) or the previous step"
    )
    template_id: Id


class SequenceCreate(RequestBody):
    name: Name
    status: Literal["active", "paused"] = "active"
    delay_unit: Literal["business_days", "calendar_days"] = "business_days"
    steps: list[StepBody] = Field(min_length=1, max_length=20)


class SequenceUpdate(NotNull):
    name: Name | SkipJsonSchema[None] = None
    status: Literal["active", "paused"] | SkipJsonSchema[None] = None
    delay_unit: Literal["business_days", "calendar_days"] | SkipJsonSchema[None] = None
    steps: list[StepBody] | SkipJsonSchema[None] = Field(default=None, min_length=1, max_length=20)
    version: Version = VERSION_FIELD


class StepRead(BaseModel):
    position: int
    delay_days: int
    template_id: str


class SequenceRead(BaseModel):
    id: str
    tenant_id: str
    name: str
    status: str
    delay_unit: str
    steps: list[StepRead]
    owner_id: str | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class SequencePage(BaseModel):
    items: list[SequenceRead]
    next_cursor: str | None = next_cursor_field()


class EnrollBody(RequestBody):
    lead_ids: list[Id] = Field(default_factory=list, max_length=1000)
    contact_ids: list[Id] = Field(default_factory=list, max_length=1000)


class EnrollmentRead(BaseModel):
    id: str
    sequence_id: str
    lead_id: str | None = None
    contact_id: str | None = None
    status: str
    exit_reason: str = ""
    next_step: int = 0
    next_run_at: datetime | None = None
    steps_sent: int = 0
    enrolled_at: datetime | None = None
    ended_at: datetime | None = None


class EnrollmentPage(BaseModel):
    items: list[EnrollmentRead]
    next_cursor: str | None = next_cursor_field()


class Enrolled(BaseModel):
    enrolled: list[EnrollmentRead]
    already: int
    unknown_ids: list[str] = Field(default_factory=list)


class UnsubscribeRead(BaseModel):
    email: str
    status: str
