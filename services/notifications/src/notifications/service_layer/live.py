"""Live delivery inside one replica: open Watch calls wait on a queue each, and
every ``crm.notifications.created`` this replica hears (a plain NATS subscription:
every replica hears every one) is put on the recipient's queues."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from google.protobuf.message import DecodeError
from nats.aio.msg import Msg

from crm.notifications.v1 import notifications_pb2 as pb
from crm_common.events.envelope import parse_envelope, unpack_payload

log = logging.getLogger("notifications.live")
# A watcher that stops reading loses notifications beyond this, not the service's memory.
QUEUE_SIZE = 100

Key = tuple[str, str]  # (tenant_id, user_id)


class LiveHub:
    def __init__(self) -> None:
        self._watchers: dict[Key, set[asyncio.Queue[pb.Notification]]] = {}

    @contextmanager
    def watch(self, tenant_id: str, user_id: str) -> Iterator[asyncio.Queue[pb.Notification]]:
        key = (tenant_id, user_id)
        queue: asyncio.Queue[pb.Notification] = asyncio.Queue(QUEUE_SIZE)
        self._watchers.setdefault(key, set()).add(queue)
        try:
            yield queue
        finally:
            queues = self._watchers.get(key, set())
            queues.discard(queue)
            if not queues:
                self._watchers.pop(key, None)

    async def on_created(self, msg: Msg) -> None:
        try:
            envelope = parse_envelope(msg.data)
            created = unpack_payload(envelope, pb.NotificationCreated)
        except (DecodeError, ValueError) as exc:
            log.warning("undecodable %s: %s", msg.subject, exc)
            return
        if created.hidden_in_app:
            return  # the user turned the in-app channel off for this type
        for queue in self._watchers.get((envelope.tenant_id, created.user_id), set()):
            if queue.full():
                log.warning("a watcher of user %s is not reading: dropped one", created.user_id)
                continue
            queue.put_nowait(created.notification)
