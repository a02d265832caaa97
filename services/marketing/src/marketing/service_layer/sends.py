"""E-mail sends: the throttled dispatcher, notifications' delivery reports, and
the public (signed-token) unsubscribe, open and click calls.

Dispatcher (every replica, every tick): per tenant, under a transaction-level
advisory lock (one replica per tenant at a time), it counts the e-mail requested
in the last minute, claims at most ``mails_per_minute`` minus that many queued
sends (``FOR UPDATE SKIP LOCKED``), checks each address's consent *in the same
transaction* (unsubscribed or suppressed: skipped), renders the template in the
recipient's language and records ``crm.marketing.email.requested``
(EmailRequested) with the send marked requested: one transaction, so each send
is requested at most once. Notifications answers with ``reference`` =
``mkt:<send id>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from crm.common.v1 import events_pb2 as common_events
from crm.marketing.v1 import events_pb2
from crm.notifications.v1 import delivery_events_pb2, email_pb2
from crm_common.db import UnitOfWork
from crm_common.errors import NotFound
from crm_common.events.consumer import Handler
from crm_common.events.envelope import NewEvent, unpack_payload
from crm_common.runtime import Job
from marketing.adapters.orm import (
    CampaignRow,
    EnrollmentRow,
    MemberRow,
    ProspectRow,
    SendRow,
    TemplateRow,
)
from marketing.domain import rendering, tokens
from marketing.domain.events import (
    DELIVERED,
    EMAIL_BOUNCED,
    EMAIL_CLICKED,
    EMAIL_OPENED,
    EMAIL_REQUESTED,
    EMAIL_SENT,
    FAILED,
)
from marketing.domain.members import advance
from marketing.service_layer import consents, engagements
from marketing.service_layer.common import tenant_settings
from marketing.service_layer.deps import MarketingDeps
from marketing.service_layer.segments import consents_of

log = logging.getLogger("marketing.sends")
LOCK_KEY = 740_007  # advisory lock namespace: the dispatcher, per tenant
REFERENCE_PREFIX = "mkt:"
CONSUMER = "marketing-deliveries"
SUBJECTS = [DELIVERED, FAILED]
PUBLIC_PREFIX = "/api/v1/public"


def _email_event(send: SendRow, **extra: str) -> events_pb2.EmailEvent:
    return events_pb2.EmailEvent(
        send_id=str(send.id), campaign_id=str(send.campaign_id or ""),
        sequence_id=str(send.sequence_id or ""), enrollment_id=str(send.enrollment_id or ""),
        step=send.step, prospect_id=str(send.prospect_id), prospect_kind=send.prospect_kind,
        **extra,
    )  # fmt: skip


def _record(uow: UnitOfWork, subject: str, send: SendRow, **extra: str) -> None:
    uow.record(NewEvent(subject, str(send.tenant_id), str(send.id), _email_event(send, **extra)))


# ---- links ----


def links(deps: MarketingDeps, send: SendRow) -> dict[str, Any]:
    base = deps.settings.public_base_url.rstrip("/") + PUBLIC_PREFIX
    secret = deps.link_secret

    def click(url: str) -> str:
        token = tokens.sign(secret, "c", send.tenant_id, send.id, url)
        return f"{base}/track/click?token={token}&url={quote(url, safe='')}"

    unsubscribe = tokens.sign(secret, "u", send.tenant_id, send.id)
    opened = tokens.sign(secret, "o", send.tenant_id, send.id)
    return {
        "unsubscribe_url": f"{base}/unsubscribe?token={unsubscribe}",
        "pixel_url": f"{base}/track/open?token={opened}",
        "click": click,
    }


# ---- the dispatcher ----


async def _render(
    uow: UnitOfWork, send: SendRow, deps: MarketingDeps, cache: dict[Any, Any]
) -> rendering.Rendered | None:
    session = uow.session
    key = ("t", send.template_id)
    if key not in cache:
        cache[key] = await session.scalar(
            sa.select(TemplateRow).where(
                TemplateRow.id == send.template_id, TemplateRow.tenant_id == send.tenant_id
            )
        )
    template: TemplateRow | None = cache[key]
    if template is None or not template.variants:
        return None
    prospect = await session.scalar(
        sa.select(ProspectRow).where(
            ProspectRow.tenant_id == send.tenant_id, ProspectRow.id == send.prospect_id
        )
    )
    campaign_name = ""
    if send.campaign_id is not None:
        campaign_name = await session.scalar(
            sa.select(CampaignRow.name).where(CampaignRow.id == send.campaign_id)
        ) or ""  # fmt: skip
    variants = [rendering.Variant(**v) for v in template.variants]
    variant = rendering.choose(variants, prospect.language if prospect else "",
                               template.default_language)  # fmt: skip
    link = links(deps, send)
    first = prospect.first_name if prospect else ""
    last = prospect.last_name if prospect else ""
    fields = {
        "first_name": first, "last_name": last, "full_name": f"{first} {last}".strip(),
        "email": send.email, "company": prospect.company if prospect else "",
        "title": prospect.title if prospect else "", "campaign_name": campaign_name,
        "unsubscribe_url": link["unsubscribe_url"],
    }  # fmt: skip
    return rendering.render(variant, fields, link["click"], link["pixel_url"])


async def _still_enrolled(uow: UnitOfWork, send: SendRow) -> bool:
    if send.enrollment_id is None:
        return True
    status = await uow.session.scalar(
        sa.select(EnrollmentRow.status).where(EnrollmentRow.id == send.enrollment_id)
    )
    return status in ("active", "completed")


async def dispatch_tenant(tenant_id: uuid.UUID, deps: MarketingDeps, now: datetime) -> int:
    """One throttled batch of one tenant's queued sends; how many were requested."""
    async with deps.uow() as uow:
        session = uow.session
        locked = await session.scalar(
            sa.select(sa.func.pg_try_advisory_xact_lock(LOCK_KEY, sa.func.hashtext(str(tenant_id))))
        )
        if not locked:
            return 0
        limit = (await tenant_settings(session, tenant_id, deps.settings)).mails_per_minute
        used = await session.scalar(
            sa.select(sa.func.count()).where(
                SendRow.tenant_id == tenant_id, SendRow.requested_at > now - timedelta(minutes=1)
            )
        )
        room = limit - int(used or 0)
        if room <= 0:
            return 0
        claimed = list(
            (
                await session.scalars(
                    sa.select(SendRow)
                    .where(SendRow.tenant_id == tenant_id, SendRow.status == "queued")
                    .order_by(SendRow.created_at, SendRow.id)
                    .limit(room)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        refused = await consents_of(session, tenant_id, [s.email for s in claimed])
        cache: dict[Any, Any] = {}
        requested = 0
        for send in claimed:
            consent = refused.get(send.email, "subscribed")
            if consent != "subscribed":
                send.status, send.note = "skipped", consent
                continue
            if not await _still_enrolled(uow, send):
                send.status, send.note = "skipped", "enrolment ended"
                continue
            mail = await _render(uow, send, deps, cache)
            if mail is None:
                send.status, send.note = "failed", "template missing"
                continue
            request = email_pb2.EmailRequested(
                to_address=send.email, subject=mail.subject, html_body=mail.html_body,
                text_body=mail.text_body, reference=f"{REFERENCE_PREFIX}{send.id}",
                campaign_id=str(send.campaign_id or ""),
                unsubscribe_url=links(deps, send)["unsubscribe_url"],
            )  # fmt: skip
            uow.record(NewEvent(EMAIL_REQUESTED, str(tenant_id), str(send.id), request))
            send.status, send.requested_at = "requested", now
            requested += 1
        await uow.commit()
    return requested


async def dispatch_all(deps: MarketingDeps) -> int:
    async with deps.uow() as uow:
        tenants = list(
            (
                await uow.session.scalars(
                    sa.select(SendRow.tenant_id).where(SendRow.status == "queued").distinct()
                )
            ).all()
        )
    total = 0
    for tenant_id in tenants:
        total += await dispatch_tenant(tenant_id, deps, deps.now())
    return total


def poll_job(name: str, run: Callable[[], Any], every: float) -> Job:
    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await run()
            except Exception:
                log.exception("%s failed", name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    return job


def dispatch_job(deps: MarketingDeps) -> Job:
    return poll_job("e-mail dispatch", lambda: dispatch_all(deps),
                    deps.settings.marketing_dispatch_poll_seconds)  # fmt: skip


# ---- delivery reports ----


def delivery_handler(deps: MarketingDeps) -> Handler:
    async def handle(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
        await on_delivery(uow, envelope, deps)

    return handle


async def on_delivery(
    uow: UnitOfWork, envelope: common_events.Envelope, deps: MarketingDeps
) -> None:
    report = unpack_payload(envelope, delivery_events_pb2.DeliveryReported)
    if report.channel != "email" or not report.reference.startswith(REFERENCE_PREFIX):
        return
    try:
        tenant_id = uuid.UUID(envelope.tenant_id)
        send_id = uuid.UUID(report.reference.removeprefix(REFERENCE_PREFIX))
    except ValueError:
        return
    send = await uow.session.scalar(
        sa.select(SendRow)
        .where(SendRow.tenant_id == tenant_id, SendRow.id == send_id)
        .with_for_update()
    )
    if send is None or send.status not in ("requested", "queued"):
        return
    now = deps.now()
    delivered = envelope.type == DELIVERED
    send.status, send.delivered_at = ("sent" if delivered else "bounced"), now
    send.note = "" if delivered else report.error[:300]
    member = await _member_of(uow, send)
    if member is not None:
        advance(member, "sent" if delivered else "bounced", now)
    if delivered:
        _record(uow, EMAIL_SENT, send)
        return
    _record(uow, EMAIL_BOUNCED, send, error=report.error[:300])
    if "e-mail settings" not in report.error:  # not the address's fault: no suppression
        await consents.change(uow, tenant_id, send.email, "suppressed", "bounce", now=now)


async def _member_of(uow: UnitOfWork, send: SendRow) -> MemberRow | None:
    if send.member_id is None:
        return None
    return await uow.session.scalar(
        sa.select(MemberRow).where(MemberRow.id == send.member_id).with_for_update()
    )


# ---- public: signed tokens ----


async def _send_for(uow: UnitOfWork, link: tokens.LinkToken) -> SendRow:
    send = await uow.session.scalar(
        sa.select(SendRow)
        .where(SendRow.tenant_id == link.tenant_id, SendRow.id == link.send_id)
        .with_for_update()
    )
    if send is None:
        raise NotFound("this link is not valid")
    return send


def _verify(deps: MarketingDeps, token: str, kind: str, url: str = "") -> tokens.LinkToken:
    try:
        return tokens.verify(deps.link_secret, token, kind, url)
    except tokens.BadToken as exc:
        raise NotFound("this link is not valid") from exc


def mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


async def unsubscribe(token: str, deps: MarketingDeps) -> tuple[str, str]:
    link = _verify(deps, token, "u")
    now = deps.now()
    async with deps.uow() as uow:
        send = await _send_for(uow, link)
        row = await consents.change(uow, send.tenant_id, send.email, "unsubscribed",
                                    "unsubscribe_link", now=now)  # fmt: skip
        member = await _member_of(uow, send)
        if member is not None:
            advance(member, "unsubscribed", now)
        await uow.commit()
    return mask(send.email), row.status


async def _engage(uow: UnitOfWork, send: SendRow, kind: str, deps: MarketingDeps) -> None:
    prospect = await uow.session.scalar(
        sa.select(ProspectRow)
        .where(ProspectRow.tenant_id == send.tenant_id, ProspectRow.id == send.prospect_id)
        .with_for_update()
    )
    if prospect is not None and not prospect.deleted:
        await engagements.record(uow, prospect, kind, deps.now(), deps,
                                 campaign_id=send.campaign_id, source="tracking")  # fmt: skip


async def track_open(token: str, deps: MarketingDeps) -> None:
    link = _verify(deps, token, "o")
    async with deps.uow() as uow:
        send = await _send_for(uow, link)
        if send.opened_at is None:
            send.opened_at = deps.now()
            member = await _member_of(uow, send)
            if member is not None:
                advance(member, "opened", send.opened_at)
            _record(uow, EMAIL_OPENED, send)
            await _engage(uow, send, "email_opened", deps)
        await uow.commit()


async def track_click(token: str, url: str, deps: MarketingDeps) -> str:
    link = _verify(deps, token, "c", url)
    async with deps.uow() as uow:
        send = await _send_for(uow, link)
        if send.clicked_at is None:
            now = deps.now()
            send.clicked_at = now
            send.opened_at = send.opened_at or now
            member = await _member_of(uow, send)
            if member is not None:
                advance(member, "clicked", now)
            _record(uow, EMAIL_CLICKED, send, url=url[:500])
            await _engage(uow, send, "email_clicked", deps)
        await uow.commit()
    return url
