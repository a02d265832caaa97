"""The durable consumer ``notifications-rules``: the platform's events become
notifications by the table in ``domain/rules.py``, and sales' account events keep
the ``account_owners`` read model.

Runs inside the consumer's transaction (``crm_common.events.consumer``): the inbox
drops a redelivered event, and the unique (event, user) drops a second match of
the same person (a follower who is also the new owner). Each new notification is
announced as ``crm.notifications.created`` through the outbox, for live delivery.
No caller: the tenant comes from the envelope and scopes every query; identity
is asked with a service principal of that tenant (``adapters/audience_directory``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from google.protobuf.message import Message

from crm.common.v1 import events_pb2 as common_events
from crm.inventory.v1 import billing_pb2, stock_pb2
from crm.notifications.v1 import notifications_pb2
from crm.sales.v1 import activities_pb2, events_pb2, quotes_pb2
from crm.support.v1 import events_pb2 as support_events
from crm_common.db import UnitOfWork
from crm_common.events.consumer import Handler
from crm_common.events.envelope import NewEvent
from notifications.adapters.audience_directory import AudienceDirectory
from notifications.adapters.orm_read_models import AccountOwners
from notifications.adapters.preference_repository import PreferenceRepository
from notifications.adapters.repository import NotificationRepository
from notifications.domain import rules
from notifications.domain.rules import Rule
from notifications.mappers import notification_to_proto
from notifications.service_layer import account_owners, audiences
from notifications.service_layer.audiences import Directory, Facts, Lookups
from notifications.service_layer.deps import NotificationsDeps

CONSUMER = "notifications-rules"
SUBJECTS = sorted({*rules.SUBJECTS, *account_owners.SUBJECTS})
CREATED = "crm.notifications.created"
log = logging.getLogger("notifications.rules")


def handler(deps: NotificationsDeps) -> Handler:
    """The consumer's handler, asking identity through ``deps.identity_access``."""
    directory = AudienceDirectory(deps.identity_access) if deps.identity_access else None

    async def handle_event(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
        await handle(uow, envelope, directory)

    return handle_event


async def handle(
    uow: UnitOfWork, envelope: common_events.Envelope, directory: Directory | None = None
) -> None:
    try:
        tenant_id = uuid.UUID(envelope.tenant_id)
        uuid.UUID(envelope.id)
    except ValueError:
        log.warning("%s %s names no tenant: no notification", envelope.type, envelope.id)
        return
    local = _LocalRecords(uow, tenant_id)
    if envelope.type in account_owners.SUBJECTS:
        await account_owners.track(local.owners, envelope)
    matching = rules.rules_for(envelope.type)
    if not matching:
        return
    facts = facts_of(envelope)
    try:
        record_id = uuid.UUID(facts.record_id)
    except ValueError:
        log.warning("%s %s names no record: no notification", envelope.type, envelope.id)
        return
    lookups = Lookups(tenant_id, local, directory)
    for rule in matching:
        for user in await audiences.recipients(rule, facts, lookups):
            await _notify(
                uow, local.notifications, envelope, rule=rule, facts=facts, record_id=record_id,
                user=user,
            )  # fmt: skip


class _LocalRecords:
    """Followers and account owners, from notifications' own tables."""

    def __init__(self, uow: UnitOfWork, tenant_id: uuid.UUID) -> None:
        self.notifications = NotificationRepository(uow.session, tenant_id)
        self.owners = AccountOwners(uow.session, tenant_id)

    async def followers(self, record_type: str, record_id: uuid.UUID) -> list[str]:
        return await self.notifications.followers(record_type, record_id)

    async def account_owner(self, account_id: uuid.UUID) -> str | None:
        owner = await self.owners.owner_of(account_id)
        return str(owner) if owner else None


def facts_of(envelope: common_events.Envelope) -> Facts:
    """What the event says, from whichever payload it carries (``subject_id`` is the
    record when the payload names none)."""
    base = Facts(record_id=envelope.subject_id, actor_id=envelope.actor_id)
    for message_type, read in _READERS:
        if envelope.payload.Is(message_type.DESCRIPTOR):
            payload = message_type()
            envelope.payload.Unpack(payload)
            return read(payload, base)
    return base


def _lead(p: events_pb2.LeadChanged, base: Facts) -> Facts:
    return replace(base, owner_id=p.owner_id, changed=tuple(p.changed_fields))


def _activity(p: activities_pb2.ActivityDue, base: Facts) -> Facts:
    return replace(base, owner_id=p.owner_id)


def _quote(p: quotes_pb2.QuoteEvent, base: Facts) -> Facts:
    return replace(
        base, record_id=p.quote_id or base.record_id, owner_id=p.owner_id,
        details={"number": p.number},
    )  # fmt: skip


def _case(p: support_events.CaseChanged, base: Facts) -> Facts:
    return replace(
        base, record_id=p.case_id or base.record_id, owner_id=p.owner_id,
        details={"number": p.number, "subject": p.subject},
    )  # fmt: skip


def _comment(p: support_events.CaseCommented, base: Facts) -> Facts:
    return replace(
        base, record_id=p.case_id or base.record_id, mentioned=tuple(p.mentioned_user_ids),
        details={"number": p.number, "subject": p.subject},
    )  # fmt: skip


def _sla(p: support_events.SlaEvent, base: Facts) -> Facts:
    return replace(
        base, record_id=p.case_id or base.record_id, owner_id=p.owner_id,
        group_id=p.group_id, escalation_group_id=p.escalation_group_id,
        manager_id=p.manager_id,
        details={"number": p.number, "subject": p.subject, "target": p.target.replace("_", " ")},
    )  # fmt: skip


def _stock_low(p: stock_pb2.StockLow, base: Facts) -> Facts:
    return replace(base, record_id=p.product_id or base.record_id, details={"sku": p.sku})


def _invoice(p: billing_pb2.InvoiceEvent, base: Facts) -> Facts:
    return replace(
        base, record_id=p.invoice_id or base.record_id, account_id=p.account_id,
        details={"number": p.number},
    )  # fmt: skip


# Payload type -> what it says; each event type carries one of these.
_READERS: tuple[tuple[type[Message], Callable[[Any, Facts], Facts]], ...] = (
    (events_pb2.LeadChanged, _lead),
    (activities_pb2.ActivityDue, _activity),
    (quotes_pb2.QuoteEvent, _quote),
    (support_events.CaseChanged, _case),
    (support_events.CaseCommented, _comment),
    (support_events.SlaEvent, _sla),
    (stock_pb2.StockLow, _stock_low),
    (billing_pb2.InvoiceEvent, _invoice),
)


async def _notify(
    uow: UnitOfWork, repo: NotificationRepository, envelope: common_events.Envelope, *,
    rule: Rule, facts: Facts, record_id: uuid.UUID, user: str,
) -> None:  # fmt: skip
    try:
        user_id = uuid.UUID(user)
    except ValueError:
        return  # not a user (an API key's id never reaches here; be safe anyway)
    new_id = await repo.add_notification(
        {
            "user_id": user_id, "type": rule.notification_type,
            "title": rules.text(rule.title, facts.details, rules.TITLE_MAX),
            "body": rules.text(rule.body, facts.details), "record_type": rule.record_type,
            "record_id": record_id, "event_id": uuid.UUID(envelope.id),
            "in_app": await _in_app(uow, repo.tenant_id, user_id, rule.notification_type),
        }
    )  # fmt: skip
    if new_id is None:
        return  # this person already heard of this event
    row = (await repo.notifications_by_id([new_id]))[0]
    payload = notifications_pb2.NotificationCreated(
        user_id=user, notification=notification_to_proto(row), hidden_in_app=not row.in_app
    )
    uow.record(NewEvent(CREATED, envelope.tenant_id, str(new_id), payload))


async def _in_app(
    uow: UnitOfWork, tenant_id: uuid.UUID, user_id: uuid.UUID, notification_type: str
) -> bool:
    """Whether the user keeps the in-app channel on for this type (their preferences)."""
    prefs = await PreferenceRepository(uow.session, tenant_id).preferences(user_id)
    return prefs.channels_for(notification_type).in_app
