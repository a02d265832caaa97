"""Notifications against real PostgreSQL and NATS: follows, the rules consumer
(an event delivered twice makes one notification), the centre (isolation,
unread count, mark read, read all)."""

from __future__ import annotations

import contextlib
import uuid

import pytest
import sqlalchemy as sa
from google.protobuf.message import Message
from nats.js import JetStreamContext

from crm.sales.v1 import activities_pb2, deals_pb2, events_pb2
from crm_common.errors import InvalidArgument, NotFound
from crm_common.events.consumer import EventConsumer
from crm_common.events.envelope import NewEvent, build_envelope
from crm_common.events.tables import OutboxMessage
from notifications.service_layer import centre, events, follows
from notifications.service_layer.deps import Caller, NotificationsDeps


def user_in(tenant: uuid.UUID) -> Caller:
    return Caller(tenant, uuid.uuid4())


async def everything_visible(record_type: str, record_id: uuid.UUID) -> bool:
    return True


async def nothing_visible(record_type: str, record_id: uuid.UUID) -> bool:
    return False


async def deliver(js: JetStreamContext, deps: NotificationsDeps, *sent: NewEvent) -> None:
    """Each event published twice under different message ids (a redelivery), then
    consumed by a fresh durable consumer of just those subjects."""
    for event in sent:
        data = build_envelope(event, source="sales").SerializeToString()
        for n in range(2):
            await js.publish(event.type, data, headers={"Nats-Msg-Id": f"{event.id}-{n}"})
    consumer = EventConsumer(
        f"test-notifications-{uuid.uuid4().hex[:8]}", sorted({e.type for e in sent}),
        events.handle, deps.uow, lambda: js,
    )  # fmt: skip
    for _ in range(30):  # bounded: until a fetch finds nothing left
        with contextlib.suppress(TimeoutError):
            if await consumer.process_batch(timeout=1.0) == 0:
                break


def event(subject: str, actor: Caller, record: uuid.UUID, payload: Message) -> NewEvent:
    return NewEvent(subject, str(actor.tenant_id), str(record), payload, str(actor.user_id))


async def centre_of(caller: Caller, deps: NotificationsDeps, unread: bool = False):
    return await centre.list_notifications(caller, deps, unread=unread, limit=50, cursor=None)


async def created_events(deps: NotificationsDeps, tenant: uuid.UUID) -> int:
    async with deps.uow() as uow:
        stmt = sa.select(sa.func.count()).where(
            OutboxMessage.subject == events.CREATED, OutboxMessage.tenant_id == str(tenant)
        )
        return int(await uow.session.scalar(stmt) or 0)


async def test_follow_once_list_and_unfollow(notifications_deps: NotificationsDeps) -> None:
    me = user_in(uuid.uuid4())
    deal = str(uuid.uuid4())
    first = await follows.follow(me, "deal", deal, everything_visible, notifications_deps)
    again = await follows.follow(me, "deal", deal, everything_visible, notifications_deps)
    assert again.id == first.id
    page = await follows.list_follows(me, notifications_deps, limit=10, cursor=None)
    assert [f.id for f in page.items] == [first.id]
    stranger = user_in(me.tenant_id)
    with pytest.raises(NotFound):
        await follows.unfollow(stranger, str(first.id), notifications_deps)
    await follows.unfollow(me, str(first.id), notifications_deps)
    page = await follows.list_follows(me, notifications_deps, limit=10, cursor=None)
    assert page.items == []


async def test_follow_refuses_bad_input_and_invisible_records(
    notifications_deps: NotificationsDeps,
) -> None:
    me = user_in(uuid.uuid4())
    with pytest.raises(InvalidArgument) as bad_type:
        await follows.follow(me, "quote", str(uuid.uuid4()), everything_visible, notifications_deps)
    assert bad_type.value.violations[0].field == "record_type"
    with pytest.raises(InvalidArgument):
        await follows.follow(me, "deal", "nope", everything_visible, notifications_deps)
    with pytest.raises(NotFound):
        await follows.follow(me, "deal", str(uuid.uuid4()), nothing_visible, notifications_deps)


async def test_a_stage_change_delivered_twice_notifies_each_follower_once(
    notifications_deps: NotificationsDeps, notifications_js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    rep, manager, bystander = user_in(tenant), user_in(tenant), user_in(tenant)
    deal = uuid.uuid4()
    for follower in (rep, manager):
        await follows.follow(follower, "deal", str(deal), everything_visible, notifications_deps)
    moved = deals_pb2.DealStageChanged(deal_id=str(deal), owner_id=str(rep.user_id))
    await deliver(
        notifications_js,
        notifications_deps,
        event("crm.sales.deal.stage_changed", rep, deal, moved),
    )
    found = await centre_of(manager, notifications_deps)
    assert [(n.type, n.record_type, n.record_id) for n in found.page.items] == [
        ("deal_moved", "deal", deal)
    ]
    assert found.unread_count == 1
    assert (await centre_of(rep, notifications_deps)).page.items == []  # the actor
    assert (await centre_of(bystander, notifications_deps)).page.items == []
    assert await created_events(notifications_deps, tenant) == 1


async def test_assignment_and_due_activities_reach_the_owner(
    notifications_deps: NotificationsDeps, notifications_js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    manager, rep = user_in(tenant), user_in(tenant)
    lead, other_lead, activity = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    owner = str(rep.user_id)
    await deliver(
        notifications_js, notifications_deps,
        event("crm.sales.lead.created", manager, lead, events_pb2.LeadChanged(owner_id=owner)),
        event("crm.sales.lead.updated", manager, other_lead,
              events_pb2.LeadChanged(owner_id=owner, changed_fields=["owner_id"])),
        event("crm.sales.lead.updated", manager, lead,
              events_pb2.LeadChanged(owner_id=owner, changed_fields=["name"])),
        event("crm.sales.lead.created", rep, uuid.uuid4(), events_pb2.LeadChanged(owner_id=owner)),
        NewEvent("crm.sales.activity.due", str(tenant), str(activity),
                 activities_pb2.ActivityDue(activity_id=str(activity), owner_id=owner)),
    )  # fmt: skip
    found = await centre_of(rep, notifications_deps)
    assert sorted((n.type, n.record_id) for n in found.page.items) == sorted(
        [("assigned", lead), ("assigned", other_lead), ("activity_due", activity)]
    )
    assert (await centre_of(manager, notifications_deps)).page.items == []


async def test_centre_is_per_user_and_marks_read(
    notifications_deps: NotificationsDeps, notifications_js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    actor, me = user_in(tenant), user_in(tenant)
    intruder = Caller(uuid.uuid4(), me.user_id)  # same user id, another tenant
    records = [uuid.uuid4() for _ in range(3)]
    for record in records:
        await follows.follow(me, "account", str(record), everything_visible, notifications_deps)
    await deliver(
        notifications_js, notifications_deps,
        *(event("crm.sales.account.updated", actor, r, events_pb2.LeadChanged()) for r in records),
    )  # fmt: skip
    found = await centre_of(me, notifications_deps)
    assert len(found.page.items) == 3 and found.unread_count == 3
    newest = found.page.items[0]
    assert newest.created_at >= found.page.items[-1].created_at
    assert (await centre_of(intruder, notifications_deps)).page.items == []
    with pytest.raises(NotFound):
        await centre.mark_read(intruder, str(newest.id), notifications_deps)
    read = await centre.mark_read(me, str(newest.id), notifications_deps)
    assert read.read_at is not None
    unread = await centre_of(me, notifications_deps, unread=True)
    assert len(unread.page.items) == 2 and unread.unread_count == 2
    assert await centre.mark_all_read(me, notifications_deps) == 2
    assert (await centre_of(me, notifications_deps)).unread_count == 0
