"""Business-hours calendars and SLA policies: ``BusinessHoursCreate / Update / Read /
Page`` and ``SlaPolicyCreate / Update / Read / Page``, ``SlaPolicyMatch``.

The shapes and bounds are checked here; the support service owns the value rules
(IANA zone, start before end, a day's intervals not overlapping, at least one target)
and names the field at fault (``weekly.mon[1]``, ``escalations[0].after_minutes``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    Field(description="IANA time zone, e.g. Europe/Amsterdam"),
]
HHMM = Annotated[
    str,
    StringConstraints(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"),
    Field(description='"HH:MM" local wall-clock time; "24:00" ends the day'),
]
Interval = tuple[HHMM, HHMM]
DayIntervals = Annotated[list[Interval], Field(max_length=12)]
Priority = Literal["P1", "P2", "P3", "P4"]
PauseStatus = Literal["waiting_on_customer", "waiting_on_third_party"]
Tier = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Minutes = Annotated[int, Field(ge=1, le=525_600, description="Business minutes")]
Version = Annotated[int, Field(ge=1)] | SkipJsonSchema[None]
VERSION_FIELD = Field(default=None, description="Expected version (or send If-Match); 409 if stale")


class WeeklyHours(RequestBody):
    """Open hours per weekday, local time; a day left out (or empty) is closed.
    Several intervals a day are fine (a lunch break), start before end, no overlap."""

    mon: DayIntervals = Field(default_factory=list)
    tue: DayIntervals = Field(default_factory=list)
    wed: DayIntervals = Field(default_factory=list)
    thu: DayIntervals = Field(default_factory=list)
    fri: DayIntervals = Field(default_factory=list)
    sat: DayIntervals = Field(default_factory=list)
    sun: DayIntervals = Field(default_factory=list)


class BusinessHoursCreate(RequestBody):
    name: Name = Field(description="Unique in your tenant, case-insensitively (409 if taken)")
    timezone: TimeZone
    weekly: WeeklyHours = Field(default_factory=WeeklyHours)
    holidays: list[date] = Field(
        default_factory=list, max_length=1000, description="Local dates without business time"
    )
    always_open: bool = Field(default=False, description="24x7: every minute counts")


class BusinessHoursUpdate(RequestBody):
    """Partial update: leave a field out to keep it; null is refused."""

    name: Name | SkipJsonSchema[None] = None
    timezone: TimeZone | SkipJsonSchema[None] = None
    weekly: WeeklyHours | SkipJsonSchema[None] = None
    holidays: Annotated[list[date], Field(max_length=1000)] | SkipJsonSchema[None] = None
    always_open: bool | SkipJsonSchema[None] = None
    version: Version = VERSION_FIELD

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class BusinessHoursRead(BaseModel):
    id: str
    tenant_id: str
    name: str
    timezone: str
    weekly: dict[str, list[list[str]]] = Field(
        description='{"mon": [["09:00", "12:00"], ["13:00", "17:00"]], ...}; open days only'
    )
    holidays: list[str] = Field(default_factory=list)
    always_open: bool = False
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class BusinessHoursPage(BaseModel):
    items: list[BusinessHoursRead]
    next_cursor: str | None = next_cursor_field()


class Conditions(RequestBody):
    """Every list left empty matches all cases."""

    priorities: Annotated[list[Priority], Field(max_length=4)] = Field(default_factory=list)
    account_tiers: Annotated[list[Tier], Field(max_length=100)] = Field(default_factory=list)
    service_contract_ids: Annotated[list[UUID], Field(max_length=100)] = Field(default_factory=list)


class EscalationIn(RequestBody):
    level: int = Field(ge=1, le=10, description="1..10, each level once")
    after_minutes: int = Field(
        ge=0, le=525_600, description="Business minutes after the resolution target"
    )
    group_id: UUID | None = Field(default=None, description="Reassign to this group")
    notify_manager: bool = False


class SlaPolicyCreate(RequestBody):
    name: Name
    position: int | None = Field(
        default=None, ge=1, le=100_000, description="1-based place in the order; default last"
    )
    active: bool = True
    conditions: Conditions = Field(default_factory=Conditions)
    business_hours_id: UUID | None = Field(default=None, description="null: a 24x7 clock")
    first_response_minutes: Minutes | None = None
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    warning_percent: int = Field(default=80, ge=1, le=99, description="% of a target elapsed")
    pause_statuses: list[PauseStatus] | None = Field(
        default=None, max_length=2, description="Statuses that stop the clock; default both"
    )
    escalations: list[EscalationIn] = Field(default_factory=list, max_length=10)


NULLABLE_POLICY_FIELDS = frozenset(
    {"business_hours_id", "first_response_minutes", "next_response_minutes", "resolution_minutes"}
)


class SlaPolicyUpdate(RequestBody):
    """Partial update: leave a field out to keep it. Only business_hours_id (24x7)
    and the targets (no target) may be set to null. ``position`` reorders."""

    name: Name | SkipJsonSchema[None] = None
    position: Annotated[int, Field(ge=1, le=100_000)] | SkipJsonSchema[None] = None
    active: bool | SkipJsonSchema[None] = None
    conditions: Conditions | SkipJsonSchema[None] = None
    business_hours_id: UUID | None = None
    first_response_minutes: Minutes | None = None
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    warning_percent: Annotated[int, Field(ge=1, le=99)] | SkipJsonSchema[None] = None
    pause_statuses: Annotated[list[PauseStatus], Field(max_length=2)] | SkipJsonSchema[None] = None
    escalations: Annotated[list[EscalationIn], Field(max_length=10)] | SkipJsonSchema[None] = None
    version: Version = VERSION_FIELD

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in NULLABLE_POLICY_FIELDS:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class ConditionsRead(BaseModel):
    priorities: list[str] = Field(default_factory=list)
    account_tiers: list[str] = Field(default_factory=list)
    service_contract_ids: list[str] = Field(default_factory=list)


class EscalationRead(BaseModel):
    level: int
    after_minutes: int
    group_id: str | None = None
    notify_manager: bool = False


class SlaPolicyRead(BaseModel):
    id: str
    tenant_id: str
    name: str
    position: int
    active: bool
    conditions: ConditionsRead
    business_hours_id: str | None = None
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    warning_percent: int
    pause_statuses: list[str] = Field(default_factory=list)
    escalations: list[EscalationRead] = Field(default_factory=list)
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class SlaPolicyPage(BaseModel):
    items: list[SlaPolicyRead]
    next_cursor: str | None = next_cursor_field()


class SlaPolicyMatch(BaseModel):
    matched: bool
    policy: SlaPolicyRead | None = None
