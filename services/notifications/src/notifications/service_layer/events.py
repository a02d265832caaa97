"""The durable consumer ``notifications-rules``: the platform's events become
notifications by the table in ``domain/rules.py``.

Runs inside the consumer's transaction (``crm_common.events.consumer``): the inbox
drops a redelivered event, and the unique (event, user) drops a second match of
the same person (a follower who is also the new owner). Each new notification is
announced as ``crm.notifications.created`` through the outbox, for live delivery.
No caller: the tenant comes from the envelope and scopes every query.
"""

from __future__ import annotations

import logging
import uuid

from crm.common.v1 import events_pb2 as common_events
from crm.notifications.v1 import notifications_pb2
from crm.sales.v1 import activities_pb2, events_pb2
from crm_common.db import UnitOfWork
from crm_common.events.envelope import NewEvent
from notifications.adapters.repository import NotificationRepository
from notifications.domain import rules
from notifications.domain.rules import Rule
from notifications.mappers import notification_to_proto

CONSUMER = "notifications-rules"
SUBJECTS = rules.SUBJECTS
CREATED = "crm.notifications.created"
log = logging.getLogger("notifications.rules")


async def handle(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
    try:
        tenant_id, record_id = uuid.UUID(envelope.tenant_id), uuid.UUID(envelope.subject_id)
        uuid.UUID(envelope.id)
    except ValueError:
        log.warning("%s %s names no tenant or record: no notification", envelope.type, envelope.id)
        return
    repo = NotificationRepository(uow.session, tenant_id)
    for rule in rules.rules_for(envelope.type):
        for user in await _recipients(repo, rule, envelope, record_id):
            await _notify(uow, repo, rule, envelope, user)


async def _recipients(
    repo: NotificationRepository, rule: Rule, envelope: common_events.Envelope, record_id: uuid.UUID
) -> list[str]:
    if rule.audience == rules.FOLLOWERS:
        followers = await repo.followers(rule.record_type, record_id)
        return rules.followers_to_tell(followers, envelope.actor_id)
    owner, changed = _owner_of(envelope)
    user = rules.owner_recipient(rule, owner, envelope.actor_id, changed)
    return [user] if user else []


def _owner_of(envelope: common_events.Envelope) -> tuple[str, list[str]]:
    """The record's owner and changed fields, from whichever payload the event has."""
    if envelope.payload.Is(events_pb2.LeadChanged.DESCRIPTOR):
        lead = events_pb2.LeadChanged()
        envelope.payload.Unpack(lead)
        return lead.owner_id, list(lead.changed_fields)
    if envelope.payload.Is(activities_pb2.ActivityDue.DESCRIPTOR):
        activity = activities_pb2.ActivityDue()
        envelope.payload.Unpack(activity)
        return activity.owner_id, []
    return "", []


async def _notify(
    uow: UnitOfWork, repo: NotificationRepository, rule: Rule,
    envelope: common_events.Envelope, user: str,
) -> None:  # fmt: skip
    try:
        user_id = uuid.UUID(user)
    except ValueError:
        return  # not a user (an API key's id never reaches here; be safe anyway)
    new_id = await repo.add_notification(
        {
            "user_id": user_id, "type": rule.notification_type, "title": rule.title,
            "body": rule.body, "record_type": rule.record_type,
            "record_id": uuid.UUID(envelope.subject_id), "event_id": uuid.UUID(envelope.id),
        }
    )  # fmt: skip
    if new_id is None:
        return  # this person already heard of this event
    row = (await repo.notifications_by_id([new_id]))[0]
    payload = notifications_pb2.NotificationCreated(
        user_id=user, notification=notification_to_proto(row)
    )
    uow.record(NewEvent(CREATED, envelope.tenant_id, str(new_id), payload))
