"""Webhook rows to protobuf messages (and nothing else). The secret is never
mapped here: only the create and rotate answers carry it, set by the servicer."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from crm.notifications.v1 import webhooks_pb2 as pb
from notifications.adapters.orm_webhooks import WebhookDeliveryRow, WebhookEndpointRow


def _stamp(field: Timestamp, value: datetime | None) -> None:
    if value is not None:
        field.FromDatetime(value)


def webhook_to_pb(row: WebhookEndpointRow) -> pb.Webhook:
    message = pb.Webhook(
        id=str(row.id), tenant_id=str(row.tenant_id), url=row.url, description=row.description,
        event_types=list(row.event_types), active=row.active,
        disabled_reason=row.disabled_reason or "",
        consecutive_failures=row.consecutive_failures or 0, version=row.version,
        created_by=str(row.created_by or ""), updated_by=str(row.updated_by or ""),
    )  # fmt: skip
    _stamp(message.disabled_at, row.disabled_at)
    _stamp(message.created_at, row.created_at)
    _stamp(message.updated_at, row.updated_at)
    return message


def with_secret_to_pb(row: WebhookEndpointRow, secret: str) -> pb.WebhookWithSecret:
    return pb.WebhookWithSecret(webhook=webhook_to_pb(row), secret=secret)


def delivery_to_pb(row: WebhookDeliveryRow) -> pb.WebhookDelivery:
    message = pb.WebhookDelivery(
        id=str(row.id), webhook_id=str(row.endpoint_id), event_id=str(row.event_id),
        event_type=row.event_type, status=row.status, attempts=row.attempts,
        last_status_code=row.last_status_code or 0, last_error=row.last_error or "",
        replay_of=str(row.replay_of or ""),
    )  # fmt: skip
    if row.status == "pending":
        _stamp(message.next_attempt_at, row.next_attempt_at)
    _stamp(message.delivered_at, row.delivered_at)
    _stamp(message.failed_at, row.failed_at)
    _stamp(message.created_at, row.created_at)
    return message
