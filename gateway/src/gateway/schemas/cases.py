"""Cases and their comments: ``CaseCreate / CaseUpdate / CaseRead / CasePage``,
``CaseAssign``, ``CommentCreate / CommentRead / CommentPage``.

Value rules (transitions, the reopen window, who may own a case) belong to the
support service; the shapes and bounds are checked here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.accounts import VERSION_FIELD, _Redacted
from gateway.schemas.common import RequestBody, next_cursor_field

Priority = Literal["P1", "P2", "P3", "P4"]
Status = Literal[
    "new", "open", "waiting_on_customer", "waiting_on_third_party", "resolved", "closed"
]
NewStatus = Literal["new", "open", "waiting_on_customer", "waiting_on_third_party"]
Channel = Literal["email", "phone", "web", "chat", "other"]
SlaStatus = Literal["on_track", "warning", "breached", "fulfilled", "paused"]
Assignment = Literal["round_robin", "least_loaded"]
Subject = Annotated[str, Field(min_length=1, max_length=300)]
Description = Annotated[str, Field(max_length=20_000)]
Tier = Annotated[str, Field(max_length=50, description="e.g. gold; SLA policies match on it")]
# Plausible reported_at bounds at the edge (the service checks the exact year window).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class CaseCreate(RequestBody):
    subject: Subject
    description: Description = ""
    priority: Priority
    status: NewStatus = "new"
    channel: Channel = "web"
    account_id: UUID | None = None
    contact_id: UUID | None = None
    asset_id: UUID | None = None
    owner_id: UUID | None = Field(
        default=None, description="Default: you (unless only group_id is given: the group's queue)"
    )
    group_id: UUID | None = None
    service_contract_id: UUID | None = None
    account_tier: Tier = ""
    reported_at: AwareDatetime | None = Field(
        default=None,
        description="When the customer reported it (default now, not in the future); "
        "the SLA clock starts here",
    )
    assignment: Assignment | None = Field(
        default=None, description="Pick the owner among group_id's users"
    )

    @field_validator("reported_at")
    @classmethod
    def _plausible(cls, value: datetime | None) -> datetime | None:
        if value is not None and not EARLIEST < value < LATEST:
            raise ValueError("must be a recent time (at most ten years ago, not in the future)")
        return value


class CaseUpdate(RequestBody):
    """Partial update: only the fields present change; ``null`` clears an id.
    A status change follows the transition table (409 otherwise)."""

    subject: Subject | SkipJsonSchema[None] = None
    description: Description | SkipJsonSchema[None] = None
    priority: Priority | SkipJsonSchema[None] = None
    status: Status | SkipJsonSchema[None] = None
    channel: Channel | SkipJsonSchema[None] = None
    account_id: UUID | None = None
    contact_id: UUID | None = None
    asset_id: UUID | None = None
    owner_id: UUID | None = None
    group_id: UUID | None = None
    service_contract_id: UUID | None = None
    account_tier: Tier | SkipJsonSchema[None] = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD

    @field_validator(
        "subject", "description", "priority", "status", "channel", "account_tier", mode="before"
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class CaseAction(RequestBody):
    """Optional body of resolve, close and reopen."""

    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD


class CaseAssign(RequestBody):
    """``owner_id``; or ``group_id`` with ``assignment``; or ``group_id`` alone
    (the case waits unassigned in the group's queue)."""

    owner_id: UUID | None = None
    group_id: UUID | None = None
    assignment: Assignment | None = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD


class CaseRead(_Redacted):
    id: str
    tenant_id: str
    number: str
    subject: str
    description: str = ""
    priority: str
    status: str
    channel: str
    account_id: str | None = None
    contact_id: str | None = None
    asset_id: str | None = None
    owner_id: str | None = None
    group_id: str | None = None
    service_contract_id: str | None = None
    account_tier: str = ""
    reported_at: datetime | None = None
    sla_policy_id: str | None = None
    sla_status: str
    sla_paused_at: datetime | None = None
    first_response_due_at: datetime | None = None
    next_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    first_responded_at: datetime | None = None
    first_response_minutes: int | None = Field(
        default=None, description="Business minutes to the first public agent reply"
    )
    resolved_at: datetime | None = None
    resolution_minutes: int | None = None
    closed_at: datetime | None = None
    first_response_breached: bool = False
    next_response_breached: bool = False
    resolution_breached: bool = False
    escalation_level: int = 0
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class CasePage(BaseModel):
    items: list[CaseRead]
    next_cursor: str | None = next_cursor_field()


class CommentCreate(RequestBody):
    body: Annotated[str, Field(min_length=1, max_length=20_000)]
    public: bool = False
    from_customer: bool = Field(
        default=False, description="The customer's words (e.g. their e-mail reply); public"
    )
    mentioned_user_ids: Annotated[list[UUID], Field(max_length=50)] = Field(default_factory=list)


class CommentRead(BaseModel):
    id: str
    case_id: str
    body: str
    public: bool
    from_customer: bool
    author_id: str | None = None
    mentioned_user_ids: list[str] = Field(default_factory=list)
    created_at: datetime | None = None


class CommentPage(BaseModel):
    items: list[CommentRead]
    next_cursor: str | None = next_cursor_field()
