"""Webhooks: pb2 <-> schema conversion, the one place for them."""

from __future__ import annotations

from uuid import UUID

from crm.common.v1 import types_pb2
from crm.notifications.v1 import webhooks_pb2 as pb
from crm_common.wire import time_field
from gateway.mappers import page_request
from gateway.schemas.webhooks import (
    DeliveryPage,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookRead,
    WebhookUpdate,
)

UPDATABLE = ("url", "description", "event_types", "active")


def _uuid(value: str) -> UUID | None:
    return UUID(value) if value else None


def create_request(body: WebhookCreate) -> pb.CreateWebhookRequest:
    return pb.CreateWebhookRequest(
        url=body.url, description=body.description, event_types=body.event_types,
        active=body.active,
    )  # fmt: skip


def update_request(
    webhook_id: str, body: WebhookUpdate, expected_version: int
) -> pb.UpdateWebhookRequest:
    present = [name for name in UPDATABLE if name in body.model_fields_set]
    values = {name: getattr(body, name) for name in present}
    return pb.UpdateWebhookRequest(
        id=webhook_id, update_mask=present, expected_version=expected_version, **values
    )


def list_request(limit: int, cursor: str | None, active: bool | None) -> pb.ListWebhooksRequest:
    request = pb.ListWebhooksRequest(page=page_request(limit, cursor))
    if active is not None:
        request.active = active
    return request


def webhook_read(message: pb.Webhook) -> WebhookRead:
    return WebhookRead(
        id=UUID(message.id), tenant_id=UUID(message.tenant_id), url=message.url,
        description=message.description, event_types=list(message.event_types),
        active=message.active, disabled_reason=message.disabled_reason or None,
        disabled_at=time_field(message, "disabled_at"),
        consecutive_failures=message.consecutive_failures, version=message.version,
        created_at=time_field(message, "created_at"), updated_at=time_field(message, "updated_at"),
        created_by=_uuid(message.created_by), updated_by=_uuid(message.updated_by),
    )  # fmt: skip


def webhook_created(message: pb.WebhookWithSecret) -> WebhookCreated:
    return WebhookCreated(**webhook_read(message.webhook).model_dump(), secret=message.secret)


def webhook_page(response: pb.ListWebhooksResponse) -> WebhookPage:
    return WebhookPage(
        items=[webhook_read(w) for w in response.items], next_cursor=_next(response.page)
    )


def delivery_read(message: pb.WebhookDelivery) -> DeliveryRead:
    return DeliveryRead(
        id=UUID(message.id), webhook_id=UUID(message.webhook_id),
        event_id=UUID(message.event_id), event_type=message.event_type,
        status=message.status,  # type: ignore[arg-type]  # the service's three values
        attempts=message.attempts, last_status_code=message.last_status_code or None,
        last_error=message.last_error or None,
        next_attempt_at=time_field(message, "next_attempt_at"),
        delivered_at=time_field(message, "delivered_at"),
        failed_at=time_field(message, "failed_at"), created_at=time_field(message, "created_at"),
        replay_of=_uuid(message.replay_of),
    )  # fmt: skip


def delivery_page(response: pb.ListWebhookDeliveriesResponse) -> DeliveryPage:
    return DeliveryPage(
        items=[delivery_read(d) for d in response.items], next_cursor=_next(response.page)
    )


def _next(page: types_pb2.PageResponse) -> str | None:
    return page.next_cursor or None
