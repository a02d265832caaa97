"""Marketing: segments, scoring rules and settings, engagements, prospects
(``*Create / *Read / *Page``). The marketing service owns the value rules and
names every bad field; these schemas check shapes, enums and lengths."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field

Text = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=2000)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ConditionField = Literal[
    "email", "first_name", "last_name", "company", "title", "industry", "country",
    "language", "status", "source", "owner_id", "employees",
]  # fmt: skip
ConditionOp = Literal[
    "eq", "neq", "contains", "starts_with", "in", "not_in", "gt", "gte", "lt", "lte",
    "is_empty", "not_empty",
]  # fmt: skip
EngagementType = Literal[
    "email_opened", "email_clicked", "email_replied", "form_submitted", "page_visited",
    "webinar_attended",
]  # fmt: skip
Score = Annotated[int, Field(ge=0, le=100)]
Version = Annotated[int, Field(ge=1)] | SkipJsonSchema[None]
VERSION_FIELD = Field(default=None, description="Expected version (or send If-Match); 409 if stale")


class ConditionBody(RequestBody):
    field: ConditionField
    op: ConditionOp
    value: Text = ""
    values: list[Text] = Field(default_factory=list, max_length=100, description="in / not_in")


class SegmentCreate(RequestBody):
    name: Name
    description: LongText = ""
    kind: Literal["lead", "contact", "any"] = "any"
    match: Literal["all", "any"] = Field(default="all", description="All or any of the conditions")
    conditions: list[ConditionBody] = Field(default_factory=list, max_length=50)
    min_score: Score | None = None
    max_score: Score | None = None
    tags_any: list[Tag] = Field(default_factory=list, max_length=50)
    tags_all: list[Tag] = Field(default_factory=list, max_length=50)
    engaged_within_days: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        default=None, description="An engagement in the last N days"
    )
    engagement_types: list[EngagementType] = Field(default_factory=list, max_length=10)


class SegmentUpdate(SegmentCreate):
    """The whole definition is replaced."""

    version: Version = VERSION_FIELD


class ConditionRead(BaseModel):
    field: str
    op: str
    value: str = ""
    values: list[str] = Field(default_factory=list)


class SegmentRead(BaseModel):
    id: str
    tenant_id: str
    name: str
    description: str = ""
    kind: str
    match: str
    conditions: list[ConditionRead] = Field(default_factory=list)
    min_score: int | None = None
    max_score: int | None = None
    tags_any: list[str] = Field(default_factory=list)
    tags_all: list[str] = Field(default_factory=list)
    engaged_within_days: int | None = None
    engagement_types: list[str] = Field(default_factory=list)
    owner_id: str | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class SegmentPage(BaseModel):
    items: list[SegmentRead]
    next_cursor: str | None = next_cursor_field()


class ProspectRead(BaseModel):
    """A lead or contact as marketing knows it (from sales' events)."""

    id: str
    kind: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    industry: str = ""
    employees: int = 0
    country: str = ""
    language: str = ""
    status: str = ""
    tags: list[str] = Field(default_factory=list)
    owner_id: str | None = None
    score: int = 0
    fit_score: int = 0
    engagement_score: int = 0
    last_engaged_at: datetime | None = None
    consent: str = "subscribed"


class ProspectPage(BaseModel):
    items: list[ProspectRead]
    next_cursor: str | None = next_cursor_field()


class ScoringRuleCreate(RequestBody):
    name: Name
    kind: Literal["fit", "engagement"]
    active: bool = True
    field: ConditionField | SkipJsonSchema[None] = Field(default=None, description="fit rules")
    op: ConditionOp | SkipJsonSchema[None] = Field(default=None, description="fit rules")
    value: Text = ""
    values: list[Text] = Field(default_factory=list, max_length=100)
    engagement_type: EngagementType | SkipJsonSchema[None] = Field(
        default=None, description="engagement rules"
    )
    points: Annotated[int, Field(ge=-100, le=100)]
    max_points: Annotated[int, Field(ge=0, le=100)] = Field(
        default=0, description="Cap of this rule's total (0: none)"
    )
    half_life_days: Annotated[int, Field(ge=0, le=3650)] = Field(
        default=0, description="Decay: points halve every N days (0: none)"
    )


class ScoringRuleUpdate(ScoringRuleCreate):
    version: Version = VERSION_FIELD


class ScoringRuleRead(BaseModel):
    id: str
    tenant_id: str
    name: str
    kind: str
    active: bool
    field: str = ""
    op: str = ""
    value: str = ""
    values: list[str] = Field(default_factory=list)
    engagement_type: str = ""
    points: int
    max_points: int = 0
    half_life_days: int = 0
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ScoringRulePage(BaseModel):
    items: list[ScoringRuleRead]
    next_cursor: str | None = next_cursor_field()


class MarketingSettingsUpdate(RequestBody):
    mql_threshold: Annotated[int, Field(ge=1, le=100)] | SkipJsonSchema[None] = None
    mails_per_minute: Annotated[int, Field(ge=1, le=10000)] | SkipJsonSchema[None] = None
    timezone: (
        Annotated[str, StringConstraints(min_length=1, max_length=64)] | SkipJsonSchema[None]
    ) = None
    version: Version = VERSION_FIELD


class MarketingSettingsRead(BaseModel):
    mql_threshold: int
    mails_per_minute: int
    timezone: str
    version: int


class EngagementCreate(RequestBody):
    lead_id: str | None = Field(default=None, description="Exactly one of lead_id and contact_id")
    contact_id: str | None = None
    type: EngagementType
    occurred_at: datetime | None = Field(default=None, description="Default: now")
    campaign_id: str | None = None


class EngagementRead(BaseModel):
    id: str
    tenant_id: str
    lead_id: str | None = None
    contact_id: str | None = None
    type: str
    occurred_at: datetime | None = None
    campaign_id: str | None = None
    source: str
    score: int = Field(description="The prospect's total score right after it")
    created_at: datetime | None = None


class EngagementPage(BaseModel):
    items: list[EngagementRead]
    next_cursor: str | None = next_cursor_field()
