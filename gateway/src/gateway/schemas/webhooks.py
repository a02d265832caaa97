"""Webhooks (the notifications service): endpoints, the signing secret (in the
create and rotate answers only), the delivery log. The service owns the value
rules (https, event-type patterns) and names every bad field."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field
from gateway.schemas.products import NotNull

Url = Annotated[str, StringConstraints(min_length=1, max_length=2048)]
Description = Annotated[str, StringConstraints(max_length=500)]
EventType = Annotated[str, StringConstraints(min_length=1, max_length=200)]
EventTypes = Annotated[list[EventType], Field(min_length=1, max_length=50)]
DeliveryStatus = Literal["pending", "delivered", "failed"]
Version = Annotated[int, Field(ge=1)] | SkipJsonSchema[None]

URL_HELP = (
    "https:// URL the deliveries are POSTed to (no credentials in it); loopback and "
    "private addresses only where the operator allows them (development)"
)
EVENT_TYPES_HELP = (
    'Event types to deliver, NATS-style: "*" is one token, a final ">" one or more, '
    'e.g. "crm.sales.deal.*", "crm.support.case.created", "crm.>" (notifications\' '
    "own events are never delivered)"
)


class WebhookCreate(RequestBody):
    url: Url = Field(description=URL_HELP)
    description: Description = ""
    event_types: EventTypes = Field(description=EVENT_TYPES_HELP)
    active: bool = True


class WebhookUpdate(NotNull):
    """Fields present change. ``active: true`` re-enables a disabled endpoint."""

    url: Url | SkipJsonSchema[None] = Field(default=None, description=URL_HELP)
    description: Description | SkipJsonSchema[None] = None
    event_types: EventTypes | SkipJsonSchema[None] = Field(
        default=None, description=EVENT_TYPES_HELP
    )
    active: bool | SkipJsonSchema[None] = None
    version: Version = Field(
        default=None, description="Expected version (or send If-Match); 409 if stale"
    )


class WebhookRead(BaseModel):
    id: UUID
    tenant_id: UUID
    url: str
    description: str
    event_types: list[str]
    active: bool
    disabled_reason: str | None = Field(
        description="Why the dispatcher disabled it; null otherwise"
    )
    disabled_at: datetime | None
    consecutive_failures: int = Field(description="Deliveries in a row that ended failed")
    version: int
    created_at: datetime | None
    updated_at: datetime | None
    created_by: UUID | None
    updated_by: UUID | None


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description="Signs every delivery (docs/webhooks.md). Shown only in this answer: keep it"
    )


class WebhookPage(BaseModel):
    items: list[WebhookRead]
    next_cursor: str | None = next_cursor_field()


class DeliveryRead(BaseModel):
    id: UUID = Field(description="Also the X-CRM-Webhook-Id header of its attempts")
    webhook_id: UUID
    event_id: UUID = Field(description="The body's id: the same in a replay")
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None = Field(description="The receiver's last HTTP status")
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="Pending only")
    delivered_at: datetime | None
    failed_at: datetime | None
    created_at: datetime | None
    replay_of: UUID | None = Field(description="The delivery this one replays")


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: str | None = next_cursor_field()
