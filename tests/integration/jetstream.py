"""Reading the platform's events back from JetStream in end-to-end tests."""

from __future__ import annotations

import nats

from crm.common.v1.events_pb2 import Envelope
from crm_common.events.envelope import parse_envelope

SCAN_LIMIT = 2000  # messages read at most: the stream holds every test's events


async def find_event(nats_url: str, subject: str, subject_id: str) -> Envelope:
    """The first event on ``subject`` about ``subject_id`` (a bounded scan of
    the stream from its start; each wait is bounded too)."""
    client = await nats.connect(nats_url)
    try:
        sub = await client.jetstream().subscribe(subject, ordered_consumer=True)
        try:
            for _ in range(SCAN_LIMIT):
                envelope = parse_envelope((await sub.next_msg(timeout=10)).data)
                if envelope.subject_id == subject_id:
                    return envelope
        finally:
            await sub.unsubscribe()
    finally:
        await client.close()
    raise AssertionError(f"no {subject} event about {subject_id} in the stream")


async def publish_event(nats_url: str, envelope: Envelope) -> None:
    """Publish as the owning service would (its outbox relay): subject = type,
    message id = event id (JetStream de-duplicates on it)."""
    client = await nats.connect(nats_url)
    try:
        await client.jetstream().publish(
            envelope.type, envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.id}
        )
    finally:
        await client.close()
