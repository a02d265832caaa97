"""Lead conversion: an open lead becomes an account (new, or merged into an
existing one), a contact and, when asked, a deal, all in one transaction.

Everything is staged in one unit of work and flushed before the deal, so a
failure at any step (a bad pipeline, a lost race, a crash) rolls back the
account and contact too: nothing is ever half-made. The lead keeps where it
went (``converted_*``) and each new record keeps where it came from
(``lead_id``); the lead is then converted and read-only.

Lead fields hidden from the caller are not copied: conversion must not show a
caller data through the new contact that the lead's field rules hid.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from crm.sales.v1 import events_pb2
from crm_common.access import (
    AccessContext,
    hidden_fields,
    read_only_fields,
    require,
    require_record_edit,
)
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import FailedPrecondition, VersionConflict
from crm_common.events.envelope import NewEvent
from sales.adapters.account_repository import ACCOUNTS, CONTACTS, AccountRepository
from sales.adapters.orm import AccountRow, ContactRow, LeadRow
from sales.adapters.orm_activities import ActivityRow
from sales.adapters.repository import MODULE as LEADS
from sales.adapters.repository import LeadRepository
from sales.domain import events, model
from sales.domain.deal_commands import CreateDeal
from sales.domain.deals import DEALS
from sales.service_layer import accounts, deals, leads
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor

# Account fields a merge may fill when the existing account leaves them empty.
_MERGED_ACCOUNT_FIELDS = ("industry",)
_CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "title")


@dataclass(frozen=True)
class ConvertLead:
    lead_id: uuid.UUID
    account_id: uuid.UUID | None = None
    create_deal: bool = False
    deal_name: str = ""
    amount: Decimal | None = None
    currency: str = ""
    pipeline_id: uuid.UUID | None = None
    expected_version: int = 0


@dataclass(frozen=True)
class Conversion:
    account_id: uuid.UUID
    contact_id: uuid.UUID
    deal_id: uuid.UUID | None
    account_created: bool


async def convert_lead(cmd: ConvertLead, ctx: AccessContext, deps: SalesDeps) -> Conversion:
    _require_permissions(ctx, cmd)
    async with deps.uow() as uow:
        lead = await _convertible(LeadRepository(uow.session, ctx), cmd)
        account, created = await _account_for(uow, ctx, lead, cmd.account_id)
        contact = _stage_contact(uow, ctx, lead, account)
        # The account and contact are in the transaction from here on: whatever
        # fails next takes them back with it.
        await uow.session.flush()
        deal_id = await _stage_deal(uow, ctx, lead, account, cmd) if cmd.create_deal else None
        await _move_activities(uow, lead, contact.id)
        _mark_converted(uow, ctx, lead, Conversion(account.id, contact.id, deal_id, created))
        await leads.commit_lead(uow)
    return Conversion(account.id, contact.id, deal_id, created)


def _require_permissions(ctx: AccessContext, cmd: ConvertLead) -> None:
    require(ctx, LEADS, "edit")
    require(ctx, CONTACTS, "create")
    require(ctx, ACCOUNTS, "edit" if cmd.account_id else "create")
    if cmd.create_deal:
        require(ctx, DEALS, "create")


async def _convertible(repo: LeadRepository, cmd: ConvertLead) -> LeadRow:
    lead = await repo.get(cmd.lead_id, for_update=True)
    require_record_edit(repo.ctx, LEADS, str(lead.owner_id))
    if lead.status == model.CONVERTED:
        raise FailedPrecondition("the lead is already converted")
    if not model.is_open(lead.status):
        raise FailedPrecondition(f"a {lead.status} lead cannot be converted")
    if cmd.expected_version and cmd.expected_version != lead.version:
        raise VersionConflict(f"lead is at version {lead.version}, not {cmd.expected_version}")
    return lead


async def _account_for(
    uow: UnitOfWork, ctx: AccessContext, lead: LeadRow, account_id: uuid.UUID | None
) -> tuple[AccountRow, bool]:
    repo = AccountRepository(uow.session, ctx)
    if account_id is None:
        return _stage_account(uow, ctx, lead), True
    account = await repo.get_referenced(account_id, "account_id", for_share=False)
    account = await repo.get(account.id, for_update=True)
    require_record_edit(ctx, ACCOUNTS, str(account.owner_id))
    changed = _merge_into(account, lead, ctx)
    if changed:
        account.updated_by = actor(ctx)
        uow.record(accounts.account_event(events.ACCOUNT_UPDATED, account, ctx, changed))
    return account, False


def _merge_into(account: AccountRow, lead: LeadRow, ctx: AccessContext) -> list[str]:
    """Fill the account's empty fields from the lead; never overwrite."""
    blocked = read_only_fields(ctx, ACCOUNTS) | hidden_fields(ctx, ACCOUNTS)
    readable = _readable_lead_fields(lead, ctx)
    changed = []
    for name in _MERGED_ACCOUNT_FIELDS:
        if name not in blocked and not getattr(account, name) and readable.get(name):
            setattr(account, name, readable[name])
            changed.append(name)
    return changed


def _stage_account(uow: UnitOfWork, ctx: AccessContext, lead: LeadRow) -> AccountRow:
    readable = _readable_lead_fields(lead, ctx)
    person = f"{readable.get('first_name', '')} {readable.get('last_name', '')}".strip()
    account = AccountRow(
        id=uuid.uuid4(),
        tenant_id=lead.tenant_id,
        owner_id=lead.owner_id,
        name=(readable.get("company") or person or "Unnamed account")[:200],
        industry=readable.get("industry", ""),
        lead_id=lead.id,
        created_by=actor(ctx),
        updated_by=actor(ctx),
    )
    uow.session.add(account)
    uow.record(accounts.account_event(events.ACCOUNT_CREATED, account, ctx))
    return account


def _stage_contact(
    uow: UnitOfWork, ctx: AccessContext, lead: LeadRow, account: AccountRow
) -> ContactRow:
    readable = _readable_lead_fields(lead, ctx)
    contact = ContactRow(
        id=uuid.uuid4(),
        tenant_id=lead.tenant_id,
        account_id=account.id,
        owner_id=lead.owner_id,
        lead_id=lead.id,
        created_by=actor(ctx),
        updated_by=actor(ctx),
        **{name: readable.get(name, "") for name in _CONTACT_FIELDS},
    )
    uow.session.add(contact)
    uow.record(accounts.contact_event(events.CONTACT_CREATED, contact, ctx))
    return contact


async def _stage_deal(
    uow: UnitOfWork, ctx: AccessContext, lead: LeadRow, account: AccountRow, cmd: ConvertLead
) -> uuid.UUID:
    name = cmd.deal_name.strip() or f"{account.name} deal"
    deal = await deals.stage_new_deal(
        uow,
        ctx,
        CreateDeal.for_conversion(
            name=name,
            account_id=account.id,
            owner_id=lead.owner_id,
            lead_id=lead.id,
            amount=cmd.amount,
            currency=cmd.currency,
            pipeline_id=cmd.pipeline_id,
        ),
    )
    return deal.id


async def _move_activities(uow: UnitOfWork, lead: LeadRow, contact_id: uuid.UUID) -> None:
    await uow.session.execute(
        sa.update(ActivityRow)
        .where(
            ActivityRow.tenant_id == lead.tenant_id,
            ActivityRow.related_type == "lead",
            ActivityRow.related_id == lead.id,
        )
        .values(related_type="contact", related_id=contact_id)
    )


def _mark_converted(uow: UnitOfWork, ctx: AccessContext, lead: LeadRow, done: Conversion) -> None:
    previous = lead.status
    lead.status = model.CONVERTED
    lead.converted_account_id = done.account_id
    lead.converted_contact_id = done.contact_id
    lead.converted_deal_id = done.deal_id
    lead.converted_at = utcnow()
    lead.updated_by = actor(ctx)
    uow.session.add(leads.status_change(lead, previous, model.CONVERTED, "converted", ctx))
    uow.record(leads.status_changed_event(lead, previous, "converted", ctx))
    payload = events_pb2.LeadConverted(
        lead_id=str(lead.id),
        owner_id=str(lead.owner_id),
        account_id=str(done.account_id),
        contact_id=str(done.contact_id),
        deal_id=str(done.deal_id or ""),
        account_created=done.account_created,
    )
    by = ctx.user_id or ctx.api_key_id
    uow.record(
        NewEvent(events.LEAD_CONVERTED, str(lead.tenant_id), str(lead.id), payload, actor_id=by)
    )


def _readable_lead_fields(lead: LeadRow, ctx: AccessContext) -> dict[str, str]:
    hidden = hidden_fields(ctx, LEADS)
    names = ("company", "industry", *_CONTACT_FIELDS)
    return {name: getattr(lead, name) or "" for name in names if name not in hidden}
