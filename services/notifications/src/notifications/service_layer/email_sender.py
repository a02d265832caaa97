"""The sender job (every replica runs it): due e-mails leave through the tenant's
SMTP server, failures are retried with exponential backoff, and each e-mail's
end is announced as ``crm.notifications.delivered`` / ``failed``
(DeliveryReported, channel "email") through the outbox.

One e-mail (or one user's digest) per transaction: the rows are claimed with
``FOR UPDATE SKIP LOCKED`` (another replica takes the next one instead of
waiting), sent while locked, and their new state is committed with the event.
A crash between the SMTP send and the commit sends that e-mail again (at least
once); nothing else can send it twice. The password is opened only to send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

from crm.notifications.v1 import delivery_events_pb2
from crm_common.db import UnitOfWork
from crm_common.events.envelope import NewEvent
from crm_common.runtime import Job
from notifications.adapters import email_repository
from notifications.adapters.orm_delivery import FAILED, SENT, EmailMessageRow, EmailSettingsRow
from notifications.adapters.preference_repository import PreferenceRepository
from notifications.adapters.smtp import PermanentFailure, SmtpConfig, describe_error
from notifications.domain.templates import MailItem, RenderedEmail
from notifications.service_layer.delivery_deps import DeliveryDeps

DELIVERED = "crm.notifications.delivered"
FAILED_EVENT = "crm.notifications.failed"
CHANNEL = "email"
log = logging.getLogger("notifications.email")


@dataclass(frozen=True)
class Outcome:
    tenant_id: uuid.UUID
    delivery_id: uuid.UUID
    recipient: str
    user_id: uuid.UUID | None
    event_id: str
    event_type: str
    attempts: int
    error: str
    reference: str


def report(uow: UnitOfWork, outcome: Outcome, *, delivered: bool) -> None:
    payload = delivery_events_pb2.DeliveryReported(
        channel=CHANNEL,
        delivery_id=str(outcome.delivery_id),
        recipient=outcome.recipient,
        user_id=str(outcome.user_id or ""),
        event_id=outcome.event_id,
        event_type=outcome.event_type,
        attempts=outcome.attempts,
        error="" if delivered else outcome.error,
        reference=outcome.reference,
    )
    subject = DELIVERED if delivered else FAILED_EVENT
    uow.record(NewEvent(subject, str(outcome.tenant_id), str(outcome.delivery_id), payload))


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """The wait after the ``attempts``-th failure: base, 2 base, 4 base... capped."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


async def send_due(deps: DeliveryDeps, *, limit: int | None = None) -> int:
    """Send due e-mails until none is left (or ``limit`` units); how many units
    (an e-mail, or a user's digest) were handled. ``policy.concurrency`` workers
    share the work (SKIP LOCKED keeps them apart), so one slow SMTP server does
    not hold back every other tenant's mail."""
    budget = [limit if limit is not None else -1]

    async def worker() -> int:
        done = 0
        while budget[0] != 0:
            budget[0] -= 1
            if not await _send_one(deps):
                break
            done += 1
        return done

    if budget[0] == 0:
        return 0
    budget[0] -= 1
    if not await _send_one(deps):  # an idle tick costs one query, not one per worker
        return 0
    workers = max(1, deps.policy.concurrency)
    return 1 + sum(await asyncio.gather(*(worker() for _ in range(workers))))


async def _send_one(deps: DeliveryDeps) -> bool:
    async with deps.uow() as uow:
        rows = await email_repository.claim_next(uow.session, deps.now())
        if not rows:
            return False
        await _deliver(uow, rows, deps)
        await uow.commit()
    return True


def sender_job(deps: DeliveryDeps, every: float) -> Job:
    """Look for due e-mails every ``every`` seconds; a failed run is logged and
    retried at the next tick."""

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await send_due(deps, limit=deps.policy.batch)
            except Exception:
                log.exception("e-mail sender run failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    return job


async def _deliver(uow: UnitOfWork, rows: list[EmailMessageRow], deps: DeliveryDeps) -> None:
    head = rows[0]
    repo = PreferenceRepository(uow.session, head.tenant_id)
    if await repo.bounced(head.to_address):
        _finish(uow, rows, deps.now(), error="address bounced")
        return
    settings = await repo.email_settings()
    if settings is None:
        _retry_or_fail(uow, rows, deps, "the tenant has no e-mail settings")
        return
    config = _config(settings, deps)
    try:
        message = _message(rows, settings, deps)
    except Exception as exc:  # a template or payload that cannot render: never will
        log.exception("e-mail %s cannot be rendered", head.id)
        _finish(uow, rows, deps.now(), error=f"cannot render: {type(exc).__name__}")
        return
    try:
        await deps.send(config, message)
    except PermanentFailure as exc:
        _finish(uow, rows, deps.now(), error=str(exc))
        return
    except Exception as exc:
        error = describe_error(exc, config)
        log.warning("e-mail %s to %s failed: %s", head.id, head.to_address, error)
        _retry_or_fail(uow, rows, deps, error)
        return
    _finish(uow, rows, deps.now(), error="")


def _config(settings: EmailSettingsRow, deps: DeliveryDeps) -> SmtpConfig:
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        from_address=settings.from_address,
        starttls=settings.starttls,
        username=settings.username,
        password=deps.passwords.open(settings.password_encrypted),
        timeout=deps.policy.smtp_timeout_seconds,
    )


def _rendered(rows: list[EmailMessageRow], deps: DeliveryDeps) -> RenderedEmail:
    head = rows[0]
    if head.kind == "request":
        p = head.payload
        return RenderedEmail(p.get("subject", ""), p.get("text", ""), p.get("html", ""), "")
    items = [_item(row.payload) for row in rows]
    if head.kind == "digest":
        return deps.renderer.digest(items, head.language, head.display_name)
    return deps.renderer.notification(items[0], head.language, head.display_name)


def _item(payload: dict[str, Any]) -> MailItem:
    return MailItem(
        type=str(payload.get("type", "")), title=str(payload.get("title", "")),
        body=str(payload.get("body", "")), record_type=str(payload.get("record_type", "")),
        record_id=str(payload.get("record_id", "")), created_at=str(payload.get("created_at", "")),
    )  # fmt: skip


def _message(
    rows: list[EmailMessageRow], settings: EmailSettingsRow, deps: DeliveryDeps
) -> EmailMessage:
    head = rows[0]
    rendered = _rendered(rows, deps)
    message = EmailMessage()
    message["From"] = settings.from_address
    message["To"] = formataddr((head.display_name, head.to_address))
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=str(head.id))
    message["X-CRM-Delivery-Id"] = str(head.id)
    unsubscribe = str(head.payload.get("unsubscribe_url", "")) if head.kind == "request" else ""
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message.set_content(rendered.text or " ")
    if rendered.html:
        message.add_alternative(rendered.html, subtype="html")
    if rendered.language:  # after the content: set_content drops Content-* headers
        message["Content-Language"] = rendered.language
    return message


def _outcome(row: EmailMessageRow, error: str) -> Outcome:
    return Outcome(
        row.tenant_id, row.id, row.to_address, row.user_id, row.event_id, row.event_type,
        row.attempts, error, row.reference,
    )  # fmt: skip


def _finish(uow: UnitOfWork, rows: list[EmailMessageRow], now: datetime, *, error: str) -> None:
    """Sent (no error) or given up: the rows' end, announced."""
    for row in rows:
        row.attempts += 1
        row.status = FAILED if error else SENT
        row.last_error = error
        if not error:
            row.sent_at = now
        report(uow, _outcome(row, error), delivered=not error)


def _retry_or_fail(
    uow: UnitOfWork, rows: list[EmailMessageRow], deps: DeliveryDeps, error: str
) -> None:
    head = rows[0]
    if head.attempts + 1 >= deps.policy.max_attempts:
        _finish(uow, rows, deps.now(), error=error)
        return
    wait = backoff(head.attempts + 1, deps.policy.backoff_seconds, deps.policy.backoff_max_seconds)
    for row in rows:
        row.attempts += 1
        row.last_error = error
        row.send_after = deps.now() + wait
