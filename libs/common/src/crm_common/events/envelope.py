"""The event envelope (``crm.common.v1.Envelope``) and how events are created.

Handlers create a ``NewEvent`` with a protobuf payload; the unit of work turns it
into an envelope at commit. The trace context of the current span is captured so
the consumer's span joins the producer's trace.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from google.protobuf.message import Message
from opentelemetry import propagate

from crm.common.v1 import events_pb2

SCHEMA_VERSION = 1

M = TypeVar("M", bound=Message)


@dataclass(frozen=True)
class NewEvent:
    type: str  # subject: crm.<service>.<entity>.<verb>
    tenant_id: str
    subject_id: str
    payload: Message
    actor_id: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def current_trace_context() -> dict[str, str]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def build_envelope(event: NewEvent, *, source: str) -> events_pb2.Envelope:
    trace = current_trace_context()
    envelope = events_pb2.Envelope(
        id=event.id,
        type=event.type,
        source=source,
        tenant_id=event.tenant_id,
        subject_id=event.subject_id,
        traceparent=trace.get("traceparent", ""),
        tracestate=trace.get("tracestate", ""),
        schema_version=SCHEMA_VERSION,
        actor_id=event.actor_id,
    )
    envelope.time.FromDatetime(event.occurred_at)
    envelope.payload.Pack(event.payload)
    return envelope


def parse_envelope(data: bytes) -> events_pb2.Envelope:
    envelope = events_pb2.Envelope()
    envelope.ParseFromString(data)
    return envelope


def unpack_payload(envelope: events_pb2.Envelope, message_type: type[M]) -> M:
    payload = message_type()
    if not envelope.payload.Unpack(payload):
        raise ValueError(f"event {envelope.id} does not carry {message_type.__name__}")
    return payload
