"""The durable consumer ``notifications-email``: each new in-app notification
(``crm.notifications.created``) is mailed when its user wants e-mail for its
type, at the time the user's preferences allow.

Runs inside the consumer's transaction (the inbox drops a redelivered event) and
the queue's unique key ``notification:<id>`` makes a second enqueue of the same
notification a no-op: one notification, at most one e-mail. Nothing is queued
when the tenant has no SMTP settings, the user is unknown, inactive or has no
address, or the address bounced. The time comes from ``domain/quiet_hours.py``:
now; the next digest time for a daily digest; pushed to the end of quiet hours.
"""

from __future__ import annotations

import logging
import uuid

from crm.common.v1 import events_pb2 as common_events
from crm.notifications.v1 import notifications_pb2
from crm_common.db import UnitOfWork
from crm_common.events.consumer import Handler
from notifications.adapters import email_repository
from notifications.adapters.identity import Contact
from notifications.adapters.preference_repository import PreferenceRepository
from notifications.domain import quiet_hours
from notifications.service_layer.delivery_deps import DeliveryDeps

CONSUMER = "notifications-email"
CREATED = "crm.notifications.created"
SUBJECTS = [CREATED]
log = logging.getLogger("notifications.email")


def handler(deps: DeliveryDeps) -> Handler:
    async def handle(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
        await enqueue_notification(uow, envelope, deps)

    return handle


async def enqueue_notification(
    uow: UnitOfWork, envelope: common_events.Envelope, deps: DeliveryDeps
) -> bool:
    """True when an e-mail was queued for the notification."""
    created = notifications_pb2.NotificationCreated()
    if not envelope.payload.Unpack(created):
        return False
    note = created.notification
    try:
        tenant_id, user_id = uuid.UUID(envelope.tenant_id), uuid.UUID(created.user_id)
    except ValueError:
        return False
    repo = PreferenceRepository(uow.session, tenant_id)
    prefs = await repo.preferences(user_id)
    if not prefs.channels_for(note.type).email:
        return False
    contact = await _recipient(repo, tenant_id, user_id, deps)
    if contact is None:
        return False
    send_after, digest = quiet_hours.send_after(deps.now(), prefs, contact.timezone)
    created_at = note.created_at.ToDatetime().isoformat() if note.HasField("created_at") else ""
    added = await email_repository.enqueue(
        uow.session,
        {
            "tenant_id": tenant_id,
            "dedupe_key": f"notification:{note.id}",
            "kind": "digest" if digest else "notification",
            "user_id": user_id,
            "to_address": contact.email,
            "display_name": contact.display_name,
            "language": contact.language,
            "notification_type": note.type,
            "payload": {
                "type": note.type, "title": note.title, "body": note.body,
                "record_type": note.record_type, "record_id": note.record_id,
                "created_at": created_at,
            },
            "event_id": note.event_id or envelope.id,
            "event_type": envelope.type,
            "send_after": send_after,
        },
    )  # fmt: skip
    return added is not None


async def _recipient(
    repo: PreferenceRepository, tenant_id: uuid.UUID, user_id: uuid.UUID, deps: DeliveryDeps
) -> Contact | None:
    """The user's contact when the tenant can mail and the user can be mailed."""
    if await repo.email_settings() is None:
        log.debug("tenant %s has no e-mail settings: nothing mailed", tenant_id)
        return None
    contact = (await deps.contacts(tenant_id, [user_id])).get(str(user_id))
    if contact is None or not contact.active or not contact.email:
        return None
    if await repo.bounced(contact.email):
        return None
    return contact
