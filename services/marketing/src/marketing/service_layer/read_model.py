"""The durable consumer ``marketing-sales-read-model``: sales' lead, contact and
deal-won events keep marketing's own read model (prospects, won deals).

Events carry ids only, so each lead or contact event asks sales
(MarketingProfileService, as this service) for the record's current profile
and upserts it: idempotent (the inbox drops redeliveries, and applying the
current profile twice changes nothing), newest wins (the profile *is* the
newest state; ``synced_at`` keeps the newest event time applied). A lead that
is converted or deleted leaves its sequences. Sales unreachable: the handler
fails and the event is retried with backoff.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from crm.common.v1 import events_pb2 as common_events
from crm.sales.v1 import deals_pb2
from crm.sales.v1 import events_pb2 as sales_events
from crm.sales.v1 import marketing_profiles_pb2 as profiles_pb
from crm_common.db import UnitOfWork
from crm_common.events.consumer import Handler
from crm_common.events.envelope import unpack_payload
from marketing.adapters.orm import ProspectRow, WonDealRow
from marketing.domain import events
from marketing.service_layer import exits, scoring
from marketing.service_layer.deps import MarketingDeps

CONSUMER = "marketing-sales-read-model"
SUBJECTS = [*events.LEAD_EVENTS, *events.CONTACT_EVENTS, events.DEAL_WON]


def handler(deps: MarketingDeps) -> Handler:
    async def handle(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
        await apply_event(uow, envelope, deps)

    return handle


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _subject(envelope: common_events.Envelope) -> tuple[str, str]:
    kind = "contact" if envelope.type.startswith("crm.sales.contact.") else "lead"
    if kind == "contact":
        return kind, unpack_payload(envelope, sales_events.ContactChanged).contact_id
    if envelope.type == events.LEAD_CONVERTED:
        return kind, unpack_payload(envelope, sales_events.LeadConverted).lead_id
    if envelope.type.endswith(".status_changed"):
        return kind, unpack_payload(envelope, sales_events.LeadStatusChanged).lead_id
    return kind, unpack_payload(envelope, sales_events.LeadChanged).lead_id


async def apply_event(
    uow: UnitOfWork, envelope: common_events.Envelope, deps: MarketingDeps
) -> None:
    tenant_id = _uuid(envelope.tenant_id)
    if tenant_id is None:
        return
    when = envelope.time.ToDatetime(tzinfo=UTC)
    if envelope.type == events.DEAL_WON:
        await _deal_won(uow, tenant_id, envelope, when)
        return
    kind, record_id = _subject(envelope)
    prospect_id = _uuid(record_id)
    if prospect_id is None or deps.profiles is None:
        return
    found = await deps.profiles.profiles(tenant_id, [str(prospect_id)], kind)
    row = await upsert(uow, tenant_id, prospect_id, kind, found[0] if found else None, when=when)
    if row is None:
        return
    now = deps.now()
    if row.deleted or row.status == "converted":
        reason = "deleted" if row.deleted else "converted"
        await exits.exit_prospects(uow.session, tenant_id, [row.id], reason, now)
    await scoring.rescore(uow, row, deps.settings, now)


async def upsert(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    prospect_id: uuid.UUID,
    kind: str,
    profile: profiles_pb.MarketingProfile | None,
    *,
    when: datetime,
) -> ProspectRow | None:
    """The prospect, created or refreshed from ``profile`` (None: sales does not
    know it: a known row is marked deleted, an unknown one is not created)."""
    session = uow.session
    if profile is not None:
        await session.execute(
            insert(ProspectRow)
            .values(tenant_id=tenant_id, id=prospect_id, kind=kind, synced_at=when)
            .on_conflict_do_nothing()
        )
    row = await session.scalar(
        sa.select(ProspectRow)
        .where(ProspectRow.tenant_id == tenant_id, ProspectRow.id == prospect_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        return None
    row.synced_at = max(row.synced_at, when)
    if profile is None:
        row.deleted = True
        return row
    _assign(row, profile)
    return row


def _assign(row: ProspectRow, p: profiles_pb.MarketingProfile) -> None:
    row.email = p.email.strip().lower()[:254]
    row.first_name, row.last_name = p.first_name[:100], p.last_name[:100]
    row.company, row.title, row.industry = p.company[:200], p.title[:200], p.industry[:100]
    row.employees, row.country = max(0, p.employees), p.country[:100]
    row.language, row.status, row.source = p.language[:100], p.status[:20], p.source[:100]
    row.owner_id = _uuid(p.owner_id)
    row.tags = [t[:50] for t in p.tags]
    row.account_id = _uuid(p.account_id)
    row.converted_contact_id = _uuid(p.converted_contact_id)
    row.converted_deal_id = _uuid(p.converted_deal_id)
    row.deleted = p.deleted


async def _deal_won(
    uow: UnitOfWork, tenant_id: uuid.UUID, envelope: common_events.Envelope, when: datetime
) -> None:
    deal = unpack_payload(envelope, deals_pb2.DealStageChanged)
    deal_id = _uuid(deal.deal_id)
    if deal_id is None:
        return
    try:
        amount = Decimal(deal.amount or "0")
    except InvalidOperation:
        amount = Decimal(0)
    values = {
        "account_id": _uuid(deal.account_id), "amount": amount,
        "currency": deal.currency[:3].upper(), "won_at": when,
    }  # fmt: skip
    await uow.session.execute(
        insert(WonDealRow)
        .values(tenant_id=tenant_id, deal_id=deal_id, **values)
        .on_conflict_do_update(index_elements=["tenant_id", "deal_id"], set_=values)
    )
