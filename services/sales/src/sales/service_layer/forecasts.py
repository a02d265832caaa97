"""Forecasts over deals, rolled up the role hierarchy, and the quotas they are
measured against. The database sums the deals (one grouped query, whatever
the number of deals); the roll-up is done here over the org chart identity
keeps (rules: domain/forecasts.py, forecasts.proto)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, require
from crm_common.db import utcnow
from crm_common.errors import InvalidArgument, NotFound, PermissionDenied, Unavailable
from crm_common.money import Money
from crm_common.recycle_bin import active
from sales.adapters.orm_deals import DealRow
from sales.adapters.orm_forecasts import QuotaRow
from sales.domain import forecasts as rules
from sales.domain.forecasts import DealSum, Ledger, OrgChart, OrgUser, Period, RoleNode
from sales.service_layer.deps import SalesDeps


@dataclass(frozen=True)
class ForecastView:
    period: Period
    owner_id: str
    owners: list[tuple[OrgUser, Ledger]]
    roles: list[tuple[RoleNode, int, Ledger]]
    total: Ledger


async def get_forecast(
    period_text: str, owner_id: str, ctx: AccessContext, deps: SalesDeps
) -> ForecastView:
    require(ctx, rules.FORECASTS, "view")
    period = rules.parse_period(period_text)
    owner_id = _allowed_owner(ctx, owner_id)
    chart = await _chart(deps)
    users = {user.id: user for user in chart.users}
    if owner_id not in users:
        raise NotFound("no such active user")
    ordered = rules.subtree(chart.roles, users[owner_id].role_id)
    members = _members(ordered, chart.users, owner_id)
    owners = _owners_in_order(owner_id, members, users)
    async with deps.uow() as uow:
        sums = await _deal_sums(uow.session, ctx.tenant_id, owners, period)
        quotas = await _quotas(uow.session, ctx.tenant_id, owners, period.label)
    ledgers = rules.owner_ledgers(sums, quotas, owners)
    rollups = rules.role_rollups(ordered, members, ledgers)
    total = rollups[ordered[0][0].id] if ordered else ledgers[owner_id]
    return ForecastView(
        period,
        owner_id,
        [(users[o], ledgers[o]) for o in owners],
        [(node, depth, rollups[node.id]) for node, depth in ordered],
        total,
    )


@dataclass(frozen=True)
class SetQuota:
    user_id: str
    period: str
    amount: str
    currency: str


async def set_quota(cmd: SetQuota, ctx: AccessContext, deps: SalesDeps) -> QuotaRow:
    require(ctx, rules.FORECASTS, "edit")
    period = rules.parse_period(cmd.period)
    money = Money.parse(cmd.amount, cmd.currency)
    user_id = cmd.user_id
    if money.amount < 0:
        raise InvalidArgument.for_field("amount", "must not be negative")
    if not ctx.all_records and (user_id == ctx.user_id or user_id not in ctx.own_ids):
        raise PermissionDenied("quotas are set by a manager above the user", field="user_id")
    if user_id not in {user.id for user in (await _chart(deps)).users}:
        raise InvalidArgument.for_field("user_id", "no such active user")
    values = {
        "tenant_id": uuid.UUID(ctx.tenant_id),
        "user_id": uuid.UUID(user_id),
        "period": period.label,
        "amount": money.amount,
        "currency": money.currency,
        "updated_at": utcnow(),
        "updated_by": uuid.UUID(ctx.user_id) if ctx.user_id else None,
    }
    upsert = (
        insert(QuotaRow)
        .values(id=uuid.uuid4(), **values)
        .on_conflict_do_update(index_elements=["tenant_id", "user_id", "period"], set_=values)
        .returning(QuotaRow)
    )
    async with deps.uow() as uow:
        row = (await uow.session.scalars(upsert)).one()
        await uow.commit()
    return row


async def list_quotas(period_text: str, ctx: AccessContext, deps: SalesDeps) -> list[QuotaRow]:
    require(ctx, rules.FORECASTS, "view")
    period = rules.parse_period(period_text)
    stmt = sa.select(QuotaRow).where(
        QuotaRow.tenant_id == uuid.UUID(ctx.tenant_id), QuotaRow.period == period.label
    )
    if not ctx.all_records:
        stmt = stmt.where(QuotaRow.user_id.in_([uuid.UUID(i) for i in _own_user_ids(ctx)]))
    async with deps.uow() as uow:
        return list((await uow.session.scalars(stmt.order_by(QuotaRow.user_id))).all())


def _allowed_owner(ctx: AccessContext, owner_id: str) -> str:
    """Myself, someone below me, or anyone for an administrator."""
    owner_id = owner_id or ctx.user_id
    if not owner_id:
        raise InvalidArgument.for_field("owner_id", "required when an API key asks")
    if not (owner_id == ctx.user_id or ctx.all_records or owner_id in ctx.own_ids):
        raise PermissionDenied("only your own forecast or your team's", field="owner_id")
    return owner_id


async def _chart(deps: SalesDeps) -> OrgChart:
    if deps.org_chart is None:
        raise Unavailable("the org chart is not available")
    return await deps.org_chart.org_chart()


def _members(
    ordered: list[tuple[RoleNode, int]], users: list[OrgUser], owner_id: str
) -> dict[str, list[str]]:
    """Users per role of the subtree; in the owner's own role only the owner
    (peers in the same role are not below them)."""
    roles = {node.id for node, _ in ordered[1:]}
    members: dict[str, list[str]] = {ordered[0][0].id: [owner_id]} if ordered else {}
    for user in users:
        if user.role_id in roles:
            members.setdefault(user.role_id, []).append(user.id)
    return members


def _owners_in_order(
    owner_id: str, members: dict[str, list[str]], users: dict[str, OrgUser]
) -> list[str]:
    others = {o for group in members.values() for o in group} - {owner_id}
    return [owner_id, *sorted(others, key=lambda o: (users[o].display_name.lower(), o))]


def _own_user_ids(ctx: AccessContext) -> set[str]:
    return {*ctx.own_ids, *([ctx.user_id] if ctx.user_id else [])}


async def _deal_sums(
    session: AsyncSession, tenant_id: str, owners: list[str], period: Period
) -> list[DealSum]:
    amount = sa.func.coalesce(DealRow.amount, 0)
    band = sa.case(
        (DealRow.probability >= rules.COMMIT_FROM, "commit"),
        (DealRow.probability >= rules.BEST_CASE_FROM, "best_case"),
        (DealRow.probability > 0, "pipeline"),
        else_="omitted",
    )
    closed_on = sa.cast(sa.func.timezone("UTC", DealRow.closed_at), sa.Date)
    day = sa.func.coalesce(DealRow.close_date, closed_on)
    stmt = (
        sa.select(
            DealRow.owner_id,
            DealRow.currency,
            DealRow.status,
            band,
            sa.func.sum(amount),
            sa.func.sum(amount * DealRow.probability) / 100,
            sa.func.count(),
        )
        .where(
            DealRow.tenant_id == uuid.UUID(tenant_id),
            active(DealRow),
            DealRow.owner_id.in_([uuid.UUID(o) for o in owners]),
            DealRow.status.in_(("open", "won")),
            DealRow.currency != "",
            day.between(period.start, period.end),
        )
        .group_by(DealRow.owner_id, DealRow.currency, DealRow.status, band)
    )
    rows = (await session.execute(stmt)).all()
    return [
        DealSum(str(o), c, s, b, Decimal(total), Decimal(weighted), n)
        for o, c, s, b, total, weighted, n in rows
    ]


async def _quotas(
    session: AsyncSession, tenant_id: str, owners: list[str], period: str
) -> dict[str, tuple[Decimal, str]]:
    stmt = sa.select(QuotaRow.user_id, QuotaRow.amount, QuotaRow.currency).where(
        QuotaRow.tenant_id == uuid.UUID(tenant_id),
        QuotaRow.period == period,
        QuotaRow.user_id.in_([uuid.UUID(o) for o in owners]),
    )
    return {str(u): (a, c) for u, a, c in (await session.execute(stmt)).all()}
