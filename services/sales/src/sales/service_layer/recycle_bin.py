"""The recycle bin of leads, accounts, contacts, deals and activities: list,
restore, purge.

Listing and restoring need ``<module>:delete`` (whoever may put a record in the
bin may take it out) and cover only records the caller could edit. A record the
caller may not see is *not found*, exactly as a live one. Restoring after the
retention window is refused (the purge job is about to remove it); so is a
contact whose account is deleted, and an account whose parent is deleted (it
would come back under a record nobody can see), an activity whose related record
is deleted, and an account or contact whose external id a live one took since.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import (
    AccessContext,
    hidden_fields,
    require,
    require_record_edit,
    visible_filter,
    writable_owner_ids,
)
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import FailedPrecondition, InvalidArgument, NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import RETENTION, active, in_bin, purge_expired, restore
from sales.adapters.account_repository import ACCOUNTS, CONTACTS
from sales.adapters.activity_repository import MODULE as ACTIVITIES
from sales.adapters.activity_repository import ActivityRepository
from sales.adapters.deal_repository import DealRepository
from sales.adapters.orm import AccountRow, ContactRow, LeadRow
from sales.adapters.orm_activities import ActivityRow
from sales.adapters.orm_deals import DealRow
from sales.adapters.repository import MODULE as LEADS
from sales.adapters.repository import LeadRepository
from sales.domain import events
from sales.domain.deals import DEAL_RESTORED, DEALS
from sales.service_layer import accounts, activities, deal_events, deals, external_ids, leads
from sales.service_layer.deps import SalesDeps

BinRow = LeadRow | AccountRow | ContactRow | DealRow | ActivityRow
BinModel = type[LeadRow] | type[AccountRow] | type[ContactRow] | type[DealRow] | type[ActivityRow]
MODELS: dict[str, BinModel] = {
    LEADS: LeadRow,
    ACCOUNTS: AccountRow,
    CONTACTS: ContactRow,
    DEALS: DealRow,
    ACTIVITIES: ActivityRow,
}
# Contacts point at accounts (RESTRICT): they go first. Deals go before contacts
# (their contact roles cascade) and never block an account (SET NULL). Nothing
# points at activities.
PURGE_ORDER: tuple[BinModel, ...] = (ActivityRow, DealRow, ContactRow, AccountRow, LeadRow)
PURGE_BATCH = 500


@dataclass(frozen=True)
class BinEntry:
    id: uuid.UUID
    module: str
    name: str
    deleted_at: datetime
    deleted_by: uuid.UUID | None


def _model(module: str) -> BinModel:
    model = MODELS.get(module)
    if model is None:
        raise InvalidArgument.for_field("module", f"must be one of {', '.join(MODELS)}")
    return model


def _editable_filter(
    ctx: AccessContext, module: str, model: BinModel
) -> list[sa.ColumnElement[bool]]:
    """Visible and editable: the records the caller could have deleted."""
    conditions = [visible_filter(ctx, module, model.owner_id)]
    owners = writable_owner_ids(ctx, module)
    if owners is not None:
        conditions.append(model.owner_id.in_(sorted(_uuids(owners))))
    return conditions


def _uuids(values: frozenset[str]) -> set[uuid.UUID]:
    found = set()
    for value in values:
        try:
            found.add(uuid.UUID(value))
        except ValueError:
            continue
    return found


def _name(row: BinRow) -> str:
    if isinstance(row, ActivityRow):
        return row.subject
    if isinstance(row, AccountRow | DealRow):
        return row.name
    full = " ".join(part for part in (row.first_name, row.last_name) if part)
    if isinstance(row, LeadRow) and row.company:
        return f"{full} ({row.company})" if full else row.company
    return full


async def list_bin(
    ctx: AccessContext, deps: SalesDeps, module: str, *, limit: int, cursor: str | None
) -> Page[BinEntry]:
    model = _model(module)
    require(ctx, module, "delete")
    stmt = sa.select(model).where(
        model.tenant_id == uuid.UUID(ctx.tenant_id),
        in_bin(model),
        model.deleted_at >= utcnow() - RETENTION,
        *_editable_filter(ctx, module, model),
    )
    async with deps.uow() as uow:
        page = await paginate(
            uow.session,
            stmt,
            (model.deleted_at, model.id),
            limit=limit,
            cursor=cursor,
            descending=True,
        )
    items = [
        BinEntry(row.id, module, _name(row), row.deleted_at, row.updated_by) for row in page.items
    ]
    return Page(items, page.next_cursor)


async def _take_out(
    uow: UnitOfWork, ctx: AccessContext, module: str, record_id: uuid.UUID
) -> BinRow:
    """Lock the caller's binned record, check it may come back, and restore it."""
    model = _model(module)
    tenant_id = uuid.UUID(ctx.tenant_id)
    stmt = (
        sa.select(model)
        .where(
            model.id == record_id,
            model.tenant_id == tenant_id,
            in_bin(model),
            visible_filter(ctx, module, model.owner_id),
        )
        .with_for_update()
    )
    row: BinRow | None = await uow.session.scalar(stmt)
    if row is None:
        raise NotFound(f"no such {module} record in the recycle bin")
    require_record_edit(ctx, module, str(row.owner_id))
    if isinstance(row, ContactRow | DealRow) and row.account_id is not None:
        await _require_live_account(uow.session, tenant_id, row.account_id, "account")
    elif isinstance(row, AccountRow) and row.parent_id is not None:
        await _require_live_account(uow.session, tenant_id, row.parent_id, "parent account")
    elif isinstance(row, ActivityRow):
        await _require_live_related(uow, ctx, row)
    if isinstance(row, AccountRow | ContactRow):
        await external_ids.ensure_restorable(uow.session, row)
    actor = uuid.UUID(ctx.user_id) if ctx.user_id else None
    return await restore(uow.session, model, tenant_id, record_id, actor)


async def _require_live_account(
    session: AsyncSession, tenant_id: uuid.UUID, account_id: uuid.UUID, what: str
) -> None:
    """Held FOR SHARE until commit, so the account cannot be deleted meanwhile."""
    stmt = (
        sa.select(AccountRow.id)
        .where(AccountRow.id == account_id, AccountRow.tenant_id == tenant_id, active(AccountRow))
        .with_for_update(read=True)
    )
    if await session.scalar(stmt) is None:
        raise FailedPrecondition(f"the {what} is deleted; restore it first")


async def _require_live_related(uow: UnitOfWork, ctx: AccessContext, row: ActivityRow) -> None:
    """The related record must be live (and visible, as for a new activity)."""
    try:
        await ActivityRepository(uow.session, ctx).check_related(row.related_type, row.related_id)
    except InvalidArgument:
        raise FailedPrecondition(
            f"the related {row.related_type} is deleted; restore it first"
        ) from None


async def restore_lead(
    record_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps
) -> leads.VisibleLead:
    require(ctx, LEADS, "delete")
    async with deps.uow() as uow:
        lead = await _take_out(uow, ctx, LEADS, record_id)
        assert isinstance(lead, LeadRow)
        uow.record(leads.lead_event(events.LEAD_RESTORED, lead, ctx))
        await uow.commit()
        repo = LeadRepository(uow.session, ctx)
        history = (await repo.history([lead.id]))[lead.id]
    return leads.VisibleLead(lead, history, hidden_fields(ctx, LEADS))


async def restore_account(
    record_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps
) -> accounts.VisibleAccount:
    require(ctx, ACCOUNTS, "delete")
    async with deps.uow() as uow:
        account = await _take_out(uow, ctx, ACCOUNTS, record_id)
        assert isinstance(account, AccountRow)
        uow.record(accounts.account_event(events.ACCOUNT_RESTORED, account, ctx))
        await uow.commit()
    return accounts.VisibleAccount(account, hidden_fields(ctx, ACCOUNTS))


async def restore_contact(
    record_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps
) -> accounts.VisibleContact:
    require(ctx, CONTACTS, "delete")
    async with deps.uow() as uow:
        contact = await _take_out(uow, ctx, CONTACTS, record_id)
        assert isinstance(contact, ContactRow)
        uow.record(accounts.contact_event(events.CONTACT_RESTORED, contact, ctx))
        await uow.commit()
    return accounts.VisibleContact(contact, hidden_fields(ctx, CONTACTS))


async def restore_deal(
    record_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps
) -> deals.VisibleDeal:
    require(ctx, DEALS, "delete")
    async with deps.uow() as uow:
        deal = await _take_out(uow, ctx, DEALS, record_id)
        assert isinstance(deal, DealRow)
        uow.record(deal_events.deal_changed(DEAL_RESTORED, deal, ctx))
        await uow.commit()
        return await deals.visible(DealRepository(uow.session, ctx), deal)


async def restore_activity(
    record_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps
) -> activities.VisibleActivity:
    require(ctx, ACTIVITIES, "delete")
    async with deps.uow() as uow:
        activity = await _take_out(uow, ctx, ACTIVITIES, record_id)
        assert isinstance(activity, ActivityRow)
        await uow.commit()
    return activities.VisibleActivity(activity, hidden_fields(ctx, ACTIVITIES))


async def purge_all(
    uow: Callable[[], UnitOfWork], *, now: datetime | None = None
) -> dict[str, int]:
    """One run of the purge job: every tenant's expired records, contacts before
    accounts, in committed batches. Returns how many rows of each table went."""
    purged: dict[str, int] = {}
    for model in PURGE_ORDER:
        async with uow() as work:  # purge_expired commits each batch itself
            purged[model.__tablename__] = await purge_expired(
                work.session, model, now=now, batch=PURGE_BATCH
            )
    return purged
