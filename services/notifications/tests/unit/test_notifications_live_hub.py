"""The live hub of one replica: a created notification reaches only the watchers
of its (tenant, user); a watcher that leaves is forgotten."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from crm.notifications.v1 import notifications_pb2 as pb
from crm_common.events.envelope import NewEvent, build_envelope
from notifications.service_layer.live import LiveHub


def created_message(tenant: str, user: str) -> Any:
    notification = pb.Notification(id=str(uuid.uuid4()), type="deal_moved")
    payload = pb.NotificationCreated(user_id=user, notification=notification)
    event = NewEvent("crm.notifications.created", tenant, notification.id, payload)
    data = build_envelope(event, source="notifications").SerializeToString()
    return SimpleNamespace(data=data, subject=event.type)


async def test_only_the_recipients_watchers_get_it() -> None:
    hub = LiveHub()
    tenant, user = str(uuid.uuid4()), str(uuid.uuid4())
    with hub.watch(tenant, user) as mine, hub.watch(str(uuid.uuid4()), user) as elsewhere:
        await hub.on_created(created_message(tenant, user))
        await hub.on_created(created_message(tenant, str(uuid.uuid4())))
        assert mine.qsize() == 1 and elsewhere.qsize() == 0
        assert mine.get_nowait().type == "deal_moved"
    assert hub._watchers == {}


async def test_undecodable_messages_are_ignored() -> None:
    hub = LiveHub()
    with hub.watch("t", "u") as queue:
        await hub.on_created(SimpleNamespace(data=b"\xff\x00junk", subject="x"))
        assert queue.empty()
