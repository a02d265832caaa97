"""Activities: ``ActivityCreate / ActivityUpdate / ActivityRead / ActivityPage``.

Value rules (which fields each type has, end after start, the related record)
belong to the sales service, which reports every violated field at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.accounts import VERSION_FIELD, _Redacted
from gateway.schemas.common import RequestBody, next_cursor_field

ActivityType = Literal["task", "call", "meeting"]
RelatedType = Literal["lead", "account", "contact", "deal"]
Status = Literal["open", "in_progress", "completed", "cancelled"]
Priority = Literal["low", "normal", "high"]
Direction = Literal["inbound", "outbound"]


class Attendee(RequestBody):
    """Exactly one of ``user_id``, ``contact_id``, ``email``."""

    user_id: str | None = None
    contact_id: str | None = None
    email: str | None = None


class AttendeeRead(BaseModel):
    user_id: str | None = None
    contact_id: str | None = None
    email: str | None = None


class ActivityCreate(RequestBody):
    type: ActivityType
    subject: str
    description: str = ""
    related_type: RelatedType
    related_id: str = Field(description="The lead, account, contact or deal (one you may see)")
    owner_id: str | None = Field(default=None, description="Default: you (API keys must give one)")
    status: Status = "open"
    priority: Priority = "normal"
    due_at: AwareDatetime | None = Field(default=None, description="Tasks and calls")
    start_at: AwareDatetime | None = Field(default=None, description="Meetings (required), calls")
    end_at: AwareDatetime | None = Field(default=None, description="After start_at")
    location: str = ""
    attendees: list[Attendee] = Field(default_factory=list, description="Meetings")
    direction: Direction | None = Field(default=None, description="Calls")
    duration_seconds: Annotated[int, Field(ge=0)] | None = Field(default=None, description="Calls")
    outcome: str = ""
    reminder_at: AwareDatetime | None = Field(
        default=None, description="When to publish crm.sales.activity.due"
    )


class ActivityUpdate(RequestBody):
    """Partial update: only the fields present change; ``null`` clears a time."""

    subject: str | SkipJsonSchema[None] = None
    description: str | SkipJsonSchema[None] = None
    related_type: RelatedType | SkipJsonSchema[None] = None
    related_id: str | SkipJsonSchema[None] = None
    owner_id: str | SkipJsonSchema[None] = None
    status: Status | SkipJsonSchema[None] = None
    priority: Priority | SkipJsonSchema[None] = None
    due_at: AwareDatetime | None = None
    start_at: AwareDatetime | None = None
    end_at: AwareDatetime | None = None
    location: str | SkipJsonSchema[None] = None
    attendees: list[Attendee] | SkipJsonSchema[None] = None
    direction: Direction | SkipJsonSchema[None] = None
    duration_seconds: Annotated[int, Field(ge=0)] | SkipJsonSchema[None] = None
    outcome: str | SkipJsonSchema[None] = None
    reminder_at: AwareDatetime | None = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD

    @field_validator(
        "subject", "description", "related_type", "related_id", "owner_id", "status",
        "priority", "location", "attendees", "direction", "duration_seconds", "outcome",
        mode="before",
    )  # fmt: skip
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class ActivityRead(_Redacted):
    id: str
    tenant_id: str
    type: str
    subject: str
    description: str = ""
    related_type: str
    related_id: str
    owner_id: str
    status: str
    priority: str
    due_at: datetime | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    location: str = ""
    attendees: list[AttendeeRead] = Field(default_factory=list)
    direction: str | None = None
    duration_seconds: int | None = None
    outcome: str = ""
    reminder_at: datetime | None = None
    reminded_at: datetime | None = None
    completed_at: datetime | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class ActivityPage(BaseModel):
    items: list[ActivityRead]
    next_cursor: str | None = next_cursor_field()
