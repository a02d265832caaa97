"""The durable consumer ``notifications-webhooks``: every platform event (but
notifications' own) is queued once per active endpoint of its tenant whose
filter matches, in the consumer's transaction.

The inbox drops a redelivered event; the unique (endpoint, event) drops the same
event arriving under another message id. The body is built here, once, so
every attempt and every replay sends the same bytes.
"""

from __future__ import annotations

import base64
import importlib
import json
import logging
import pkgutil
import uuid
from functools import cache
from typing import Any

from google.protobuf import any_pb2, descriptor_pool, json_format, message_factory

from crm.common.v1 import events_pb2 as common_events
from crm_common.db import UnitOfWork, utcnow
from notifications.adapters.webhook_repository import WebhookRepository
from notifications.domain import webhooks as rules

CONSUMER = "notifications-webhooks"
SUBJECTS = rules.SOURCE_SUBJECTS
log = logging.getLogger("notifications.webhooks")


async def handle(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
    try:
        tenant_id, event_id = uuid.UUID(envelope.tenant_id), uuid.UUID(envelope.id)
    except ValueError:
        return  # not a tenant's event: no endpoint can want it
    repo = WebhookRepository(uow.session, tenant_id)
    targets = [
        e.id for e in await repo.active_endpoints() if rules.wants(e.event_types, envelope.type)
    ]
    if targets:
        await repo.enqueue(targets, event_id, envelope.type, event_body(envelope), utcnow())


def event_body(envelope: common_events.Envelope) -> str:
    """``{id, type, tenant_id, occurred_at, subject_id, data}`` as compact JSON;
    ``data`` is the payload in protobuf's JSON mapping, field names as in the
    .proto, every field present."""
    body = {
        "id": envelope.id,
        "type": envelope.type,
        "tenant_id": envelope.tenant_id,
        "occurred_at": envelope.time.ToJsonString() if envelope.HasField("time") else None,
        "subject_id": envelope.subject_id,
        "data": payload_data(envelope.payload),
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def payload_data(payload: any_pb2.Any) -> dict[str, Any]:
    if not payload.type_url:
        return {}
    _load_platform_messages()
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(payload.TypeName())
    except KeyError:
        # A message this build does not know: the bytes, so nothing is lost.
        log.warning("webhook payload %s unknown here: sent as base64", payload.type_url)
        return {"@type": payload.type_url, "value": base64.b64encode(payload.value).decode()}
    message = message_factory.GetMessageClass(descriptor)()
    payload.Unpack(message)
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


@cache
def _load_platform_messages() -> None:
    """Every ``crm.*_pb2`` module, so that any service's payload can be read."""
    import crm

    for module in pkgutil.walk_packages(crm.__path__, "crm."):
        if module.name.endswith("_pb2"):
            try:
                importlib.import_module(module.name)
            except Exception:  # one broken module must not stop the others
                log.warning("could not import %s", module.name)
