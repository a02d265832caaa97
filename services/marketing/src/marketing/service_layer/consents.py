"""Consent (module email_campaigns): an unsubscribed or suppressed address is
never mailed again by any campaign or sequence. The dispatcher checks it in the
transaction that claims each send; a change here also ends the address's
sequences at once. Bounces and complaints suppress."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from crm.marketing.v1 import events_pb2
from crm_common.access import AccessContext, require
from crm_common.db import UnitOfWork
from crm_common.errors import FieldViolation, InvalidArgument
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page, paginate
from marketing.adapters.orm import ConsentRow
from marketing.domain.events import CONSENT_CHANGED
from marketing.service_layer import exits
from marketing.service_layer.common import tenant_of
from marketing.service_layer.deps import MarketingDeps

MODULE = "email_campaigns"
STATUSES = ("subscribed", "unsubscribed", "suppressed")
REASONS = ("manual", "unsubscribe_link", "bounce", "complaint")
ADDRESS = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}\.[^@\s]{2,63}$")


def normalise(email: str) -> str:
    address = email.strip().lower()
    if len(address) > 254 or not ADDRESS.match(address):
        raise InvalidArgument.for_field("email", "is not an e-mail address")
    return address


async def change(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    email: str,
    status: str,
    reason: str,
    *,
    now: datetime,
) -> ConsentRow:
    """Upsert the address's consent; record consent.changed when it changed; a
    refusal ends the address's sequences."""
    session = uow.session
    before = await session.scalar(
        sa.select(ConsentRow.status).where(
            ConsentRow.tenant_id == tenant_id, ConsentRow.email == email
        )
    )
    values = {"status": status, "reason": reason, "updated_at": now}
    await session.execute(
        insert(ConsentRow)
        .values(tenant_id=tenant_id, email=email, **values)
        .on_conflict_do_update(index_elements=["tenant_id", "email"], set_=values)
    )
    if before != status:
        payload = events_pb2.ConsentChanged(email=email, status=status, reason=reason)
        uow.record(NewEvent(CONSENT_CHANGED, str(tenant_id), email, payload))
    if status != "subscribed":
        await exits.exit_address(session, tenant_id, email, "unsubscribed", now)
    row = await session.scalar(
        sa.select(ConsentRow)
        .where(ConsentRow.tenant_id == tenant_id, ConsentRow.email == email)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def set_consent(
    email: str, status: str, reason: str, ctx: AccessContext, deps: MarketingDeps
) -> ConsentRow:
    require(ctx, MODULE, "edit")
    found: list[FieldViolation] = []
    if status not in STATUSES:
        found.append(FieldViolation("status", f"must be one of {', '.join(STATUSES)}"))
    reason = reason or "manual"
    if reason not in REASONS:
        found.append(FieldViolation("reason", f"must be one of {', '.join(REASONS)}"))
    if found:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in found), found)
    address = normalise(email)
    async with deps.uow() as uow:
        row = await change(uow, tenant_of(ctx), address, status, reason, now=deps.now())
        await uow.commit()
    return row


async def list_consents(
    ctx: AccessContext,
    deps: MarketingDeps,
    status: str,
    email: str,
    *,
    limit: int,
    cursor: str | None,
) -> Page[ConsentRow]:
    require(ctx, MODULE, "view")
    if status and status not in STATUSES:
        raise InvalidArgument.for_field("status", f"must be one of {', '.join(STATUSES)}")
    stmt = sa.select(ConsentRow).where(ConsentRow.tenant_id == tenant_of(ctx))
    if status:
        stmt = stmt.where(ConsentRow.status == status)
    if email:
        stmt = stmt.where(ConsentRow.email == email.strip().lower())
    async with deps.uow() as uow:
        return await paginate(
            uow.session, stmt, (ConsentRow.updated_at, ConsentRow.email), limit=limit,
            cursor=cursor, descending=True,
        )  # fmt: skip
