"""The durable consumer ``notifications-email-requests``: another service asks for
an e-mail to be sent (``crm.marketing.email.requested``, EmailRequested).

The request is queued once per event (unique key ``request:<event id>``) and sent
by the same sender as notifications, through the tenant's SMTP settings; the
outcome comes back as ``crm.notifications.delivered`` / ``failed`` with the
request's ``reference``. A request that cannot be sent at all (bad address, no
SMTP settings, a bounced address) is reported failed at once.
"""

from __future__ import annotations

import logging
import uuid

from crm.common.v1 import events_pb2 as common_events
from crm.notifications.v1 import email_pb2
from crm_common.db import UnitOfWork
from crm_common.errors import InvalidArgument
from crm_common.events.consumer import Handler
from notifications.adapters import email_repository
from notifications.adapters.preference_repository import PreferenceRepository
from notifications.service_layer.delivery_deps import DeliveryDeps
from notifications.service_layer.email_sender import Outcome, report
from notifications.service_layer.preferences import valid_address

CONSUMER = "notifications-email-requests"
REQUESTED = "crm.marketing.email.requested"
SUBJECTS = [REQUESTED]
MAX_SUBJECT = 998  # RFC 5322 line length
MAX_BODY = 1_000_000
log = logging.getLogger("notifications.email")


def handler(deps: DeliveryDeps) -> Handler:
    async def handle(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
        await enqueue_request(uow, envelope, deps)

    return handle


def _problem(request: email_pb2.EmailRequested) -> str:
    try:
        valid_address(request.to_address, "to_address")
    except InvalidArgument:
        return "to_address is not an e-mail address"
    if not request.subject.strip() or len(request.subject) > MAX_SUBJECT:
        return "subject is empty or too long"
    if any(c in request.subject for c in "\r\n"):
        return "subject has a line break"
    if not (request.html_body or request.text_body):
        return "no body"
    if len(request.html_body) + len(request.text_body) > MAX_BODY:
        return "body too large"
    return ""


async def enqueue_request(
    uow: UnitOfWork, envelope: common_events.Envelope, deps: DeliveryDeps
) -> bool:
    """True when the e-mail was queued; a request that cannot be sent is reported
    failed in the same transaction."""
    request = email_pb2.EmailRequested()
    if not envelope.payload.Unpack(request):
        return False
    try:
        tenant_id = uuid.UUID(envelope.tenant_id)
    except ValueError:
        return False
    repo = PreferenceRepository(uow.session, tenant_id)
    address = request.to_address.strip()
    problem = _problem(request)
    if not problem and await repo.email_settings() is None:
        problem = "the tenant has no e-mail settings"
    if not problem and await repo.bounced(address):
        problem = "address bounced"
    values = {
        "tenant_id": tenant_id,
        "dedupe_key": f"request:{envelope.id}",
        "kind": "request",
        "to_address": address[:254],
        "payload": {
            "subject": request.subject, "html": request.html_body, "text": request.text_body,
            "campaign_id": request.campaign_id, "unsubscribe_url": request.unsubscribe_url,
        },
        "event_id": envelope.id,
        "event_type": envelope.type,
        "reference": request.reference[:200],
        "send_after": deps.now(),
    }  # fmt: skip
    if problem:
        values |= {"status": "failed", "last_error": problem}
    added = await email_repository.enqueue(uow.session, values)
    if added is not None and problem:
        log.info("e-mail request %s not sent: %s", envelope.id, problem)
        report(
            uow, Outcome(tenant_id, added, address, None, envelope.id, envelope.type, 0,
                         problem, request.reference), delivered=False,
        )  # fmt: skip
    return added is not None and not problem
