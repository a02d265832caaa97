"""Service contracts, work orders, service appointments and timelogs:
``*Create / *Update / *Read / *Page``.

The support service owns the value rules (status transitions, entitlements,
double booking) and names every bad field; shapes and bounds are checked here.
Updates are partial: only the fields present change; ``null`` clears an id.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.accounts import VERSION_FIELD, _Redacted
from gateway.schemas.common import RequestBody, next_cursor_field

FIRST_YEAR, LAST_YEAR = 1970, 2999


def _in_range(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must lie between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


Day = Annotated[date, AfterValidator(_in_range)]
Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]
Version = Annotated[int, Field(ge=1)] | SkipJsonSchema[None]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Tier = Annotated[str, Field(max_length=50, description="e.g. gold; SLA policies match on it")]
Description = Annotated[str, Field(max_length=4000)]
Total = Annotated[
    str,
    Field(
        pattern=r"^\d{1,7}(\.\d{1,2})?$",
        description='Cases (whole) or hours (2 decimals), > 0, e.g. "40"',
    ),
]
EntitlementType = Literal["cases", "hours"]
ContractStatus = Literal["draft", "active", "cancelled"]
ContractStatusRead = Literal["draft", "active", "expired", "cancelled"]
OrderStatus = Literal["new", "scheduled", "in_progress", "completed", "cancelled"]
NewOrderStatus = Literal["new", "scheduled", "in_progress"]
Priority = Literal["P1", "P2", "P3", "P4"]
VisitStatus = Literal["scheduled", "dispatched", "in_progress", "completed", "cancelled"]
NewVisitStatus = Literal["scheduled", "dispatched"]
Subject = Annotated[str, Field(min_length=1, max_length=200)]
OrderText = Annotated[str, Field(max_length=10_000)]
Address = Annotated[str, Field(max_length=500)]
Notes = Annotated[str, Field(max_length=4000)]


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("must not be null; leave the field out to keep it")
    return value


# ---- service contracts ----


class ContractCreate(RequestBody):
    name: Name
    account_id: UUID
    owner_id: UUID | None = Field(default=None, description="Default: you")
    start_date: Day
    end_date: Day = Field(description="Inclusive; not before start_date")
    entitlement_type: EntitlementType
    entitlement_total: Total
    status: ContractStatus = Field(
        default="draft", description="expired follows from end_date; it is never set"
    )
    tier: Tier = ""
    description: Description = ""


class ContractUpdate(RequestBody):
    """Status moves draft -> active | cancelled, active -> cancelled (409 otherwise).
    Fields left out keep their value; null is refused."""

    name: Name | None = None
    account_id: UUID | None = None
    owner_id: UUID | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    entitlement_type: EntitlementType | None = None
    entitlement_total: Total | None = None
    status: ContractStatus | None = None
    tier: Tier | None = None
    description: Description | None = None
    version: Version = VERSION_FIELD

    _not_null = field_validator(
        "name", "account_id", "owner_id", "start_date", "end_date", "entitlement_type",
        "entitlement_total", "status", "tier", "description", mode="before",
    )(_refuse_null)  # fmt: skip


class ConsumptionRead(BaseModel):
    cases_used: int = Field(description="Live cases that name the contract")
    hours_used: str = Field(description="Timelogged on those cases and the contract's work orders")
    used: str = Field(description="In the contract's unit (cases or hours)")
    remaining: str = Field(description="entitlement_total - used, never below 0")
    exhausted: bool


class ContractRead(_Redacted):
    id: str
    tenant_id: str
    name: str = ""
    account_id: str | None = None
    owner_id: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    entitlement_type: str = ""
    entitlement_total: str = ""
    status: ContractStatusRead | None = None
    tier: str = ""
    description: str = ""
    consumption: ConsumptionRead | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class ContractPage(BaseModel):
    items: list[ContractRead]
    next_cursor: str | None = next_cursor_field()


# ---- work orders ----


class WorkOrderCreate(RequestBody):
    subject: Subject
    description: OrderText = ""
    case_id: UUID | None = None
    account_id: UUID | None = Field(default=None, description="Default: the contract's")
    asset_id: UUID | None = None
    service_contract_id: UUID | None = Field(default=None, description="Not cancelled")
    status: NewOrderStatus = "new"
    priority: Priority = "P3"
    owner_id: UUID | None = Field(default=None, description="Default: you")


class WorkOrderUpdate(RequestBody):
    """status: new -> scheduled | in_progress | cancelled, scheduled -> new |
    in_progress | cancelled, in_progress -> scheduled | completed | cancelled;
    completed and cancelled work orders no longer change (409)."""

    subject: Subject | None = None
    description: OrderText | None = None
    case_id: UUID | None = None
    account_id: UUID | None = None
    asset_id: UUID | None = None
    service_contract_id: UUID | None = None
    status: OrderStatus | None = None
    priority: Priority | None = None
    owner_id: UUID | None = None
    version: Version = VERSION_FIELD

    _not_null = field_validator(
        "subject", "description", "status", "priority", "owner_id", mode="before"
    )(_refuse_null)


class WorkOrderRead(_Redacted):
    id: str
    tenant_id: str
    number: str = ""
    subject: str = ""
    description: str = ""
    case_id: str | None = None
    account_id: str | None = None
    asset_id: str | None = None
    service_contract_id: str | None = None
    status: str = ""
    priority: str = ""
    owner_id: str | None = None
    completed_at: datetime | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class WorkOrderPage(BaseModel):
    items: list[WorkOrderRead]
    next_cursor: str | None = next_cursor_field()


# ---- service appointments ----


class AppointmentCreate(RequestBody):
    work_order_id: UUID = Field(description="An open work order you may edit")
    asset_id: UUID | None = Field(default=None, description="Default: the work order's")
    technician_id: UUID = Field(description="A user; 409 if booked at an overlapping time")
    scheduled_start: Moment
    scheduled_end: Moment = Field(description="After scheduled_start; at most 14 days later")
    status: NewVisitStatus = "scheduled"
    address: Address = ""
    notes: Notes = ""


class AppointmentUpdate(RequestBody):
    """status: scheduled -> dispatched | in_progress | cancelled, dispatched ->
    scheduled | in_progress | cancelled, in_progress -> completed | cancelled."""

    asset_id: UUID | None = None
    technician_id: UUID | None = None
    scheduled_start: Moment | None = None
    scheduled_end: Moment | None = None
    status: VisitStatus | None = None
    address: Address | None = None
    notes: Notes | None = None
    version: Version = VERSION_FIELD

    _not_null = field_validator(
        "technician_id", "scheduled_start", "scheduled_end", "status", "address", "notes",
        mode="before",
    )(_refuse_null)  # fmt: skip


class AppointmentRead(_Redacted):
    id: str
    tenant_id: str
    work_order_id: str | None = None
    asset_id: str | None = None
    technician_id: str | None = None
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    status: str = ""
    address: str = ""
    notes: str = ""
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class AppointmentPage(BaseModel):
    items: list[AppointmentRead]
    next_cursor: str | None = next_cursor_field()


# ---- timelogs ----


class TimelogCreate(RequestBody):
    minutes: int = Field(ge=1, le=1440, description="Time spent, at most a day per entry")
    billable: bool = True
    started_at: Moment | None = Field(default=None, description="Default: now")
    note: Annotated[str, Field(max_length=2000)] = ""
    user_id: UUID | None = Field(
        default=None, description="Who spent it; default you (others need edit rights over them)"
    )


class TimelogRead(_Redacted):
    id: str
    tenant_id: str
    case_id: str | None = None
    work_order_id: str | None = None
    user_id: str | None = None
    minutes: int = 0
    billable: bool = False
    started_at: datetime | None = None
    note: str = ""
    created_at: datetime | None = None
    created_by: str | None = None


class TimelogTotals(BaseModel):
    total_minutes: int
    billable_minutes: int
    total_hours: str
    billable_hours: str


class TimelogPage(BaseModel):
    items: list[TimelogRead]
    next_cursor: str | None = next_cursor_field()
    totals: TimelogTotals = Field(description="Over every timelog you may see here, not the page")
