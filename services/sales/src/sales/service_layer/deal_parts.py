"""Contact roles and commission splits of a deal: each PUT replaces the whole
list, needs deals:edit on the deal and bumps the deal's version."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa

from crm_common.access import (
    AccessContext,
    check_writable_fields,
    hidden_fields,
    require,
    visible_filter,
)
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import InvalidArgument, NotFound
from crm_common.recycle_bin import active
from sales.adapters.account_repository import CONTACTS
from sales.adapters.deal_repository import DealRepository
from sales.adapters.orm import ContactRow
from sales.adapters.orm_deals import DealContactRoleRow, DealRow, DealSplitRow
from sales.domain import deal_parts as rules
from sales.domain.deal_commands import SetContactRoles, SetSplits
from sales.domain.deals import DEAL_UPDATED, DEALS
from sales.service_layer import deal_events
from sales.service_layer.deal_units import check_editable, commit
from sales.service_layer.deals import VisibleDeal
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor


async def set_contact_roles(
    cmd: SetContactRoles, ctx: AccessContext, deps: SalesDeps
) -> VisibleDeal:
    require(ctx, DEALS, "edit")
    check_writable_fields(ctx, DEALS, ["contact_roles"])
    rules.validate_contact_roles(cmd.roles)
    async with deps.uow() as uow:
        repo = DealRepository(uow.session, ctx)
        deal = await repo.get(cmd.deal_id, for_update=True)
        check_editable(ctx, deal, cmd.expected_version)
        await _check_contacts(uow, ctx, [r.contact_id for r in cmd.roles])
        await _clear(uow, DealContactRoleRow, deal)
        uow.session.add_all(
            DealContactRoleRow(
                tenant_id=deal.tenant_id, deal_id=deal.id, contact_id=spec.contact_id,
                role=spec.role, is_primary=spec.is_primary, position=i,
            )
            for i, spec in enumerate(cmd.roles)
        )  # fmt: skip
        return await _finish(uow, repo, ctx, deal, "contact_roles")


async def set_splits(cmd: SetSplits, ctx: AccessContext, deps: SalesDeps) -> VisibleDeal:
    require(ctx, DEALS, "edit")
    check_writable_fields(ctx, DEALS, ["splits"])
    rules.validate_splits(cmd.splits)
    async with deps.uow() as uow:
        repo = DealRepository(uow.session, ctx)
        deal = await repo.get(cmd.deal_id, for_update=True)
        check_editable(ctx, deal, cmd.expected_version)
        await _clear(uow, DealSplitRow, deal)
        uow.session.add_all(
            DealSplitRow(
                tenant_id=deal.tenant_id, deal_id=deal.id, user_id=spec.user_id,
                percent=spec.percent, position=i,
            )
            for i, spec in enumerate(cmd.splits)
        )  # fmt: skip
        return await _finish(uow, repo, ctx, deal, "splits")


async def _check_contacts(uow: UnitOfWork, ctx: AccessContext, ids: Sequence[uuid.UUID]) -> None:
    """422 naming the entry when the tenant has no such live contact; 404 when the
    caller may not see it (as a contact's account is checked)."""
    if not ids:
        return
    base = sa.select(ContactRow.id).where(
        ContactRow.tenant_id == uuid.UUID(ctx.tenant_id),
        ContactRow.id.in_(list(ids)),
        active(ContactRow),
    )
    live = set((await uow.session.scalars(base)).all())
    for i, contact_id in enumerate(ids):
        if contact_id not in live:
            raise InvalidArgument.for_field(f"contact_roles[{i}].contact_id", "no such contact")
    shown = base.where(visible_filter(ctx, CONTACTS, ContactRow.owner_id))
    if len(set((await uow.session.scalars(shown.with_for_update(read=True))).all())) != len(live):
        raise NotFound("contact not found")


async def _clear(
    uow: UnitOfWork, model: type[DealContactRoleRow | DealSplitRow], deal: DealRow
) -> None:
    await uow.session.execute(
        sa.delete(model).where(model.tenant_id == deal.tenant_id, model.deal_id == deal.id)
    )


async def _finish(
    uow: UnitOfWork, repo: DealRepository, ctx: AccessContext, deal: DealRow, changed: str
) -> VisibleDeal:
    deal.updated_by, deal.updated_at = actor(ctx), utcnow()  # bumps the version
    uow.record(deal_events.deal_changed(DEAL_UPDATED, deal, ctx, [changed]))
    await commit(uow)
    details = await repo.details([deal.id])
    return VisibleDeal(deal, details[deal.id], hidden_fields(ctx, DEALS))
