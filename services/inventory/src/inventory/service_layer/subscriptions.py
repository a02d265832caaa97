"""Subscriptions: create, read, list, change, cancel. The recurring generator
(``recurring.py``) bills their periods and renews them.

Module ``subscriptions`` decides; there is no record owner. One unit of work
per handler: the change and its event commit together. Changes lock the row,
so they wait for a generator run on the same subscription.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from crm.inventory.v1 import subscriptions_pb2
from crm_common.access import AccessContext, check_writable_fields, require
from crm_common.errors import FailedPrecondition, InvalidArgument
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page
from inventory.adapters.orm_subscriptions import SubscriptionRow
from inventory.adapters.subscription_repository import ScheduleFilters, ScheduleRepository
from inventory.domain import invoices as invoice_rules
from inventory.domain import recurring_lines as lines
from inventory.domain import subscriptions as rules
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.domain.subscriptions import SUBSCRIPTIONS, CancelSubscription
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.schedules import apply_schedule_changes, changeable, terms, today
from inventory.service_layer.shared import actor, commit, tenant

LINE_FIELDS = ("description", "product_id", "quantity", "price", "taxes")


async def create_subscription(
    cmd: CreateRecord, ctx: AccessContext, deps: InventoryDeps
) -> SubscriptionRow:
    require(ctx, SUBSCRIPTIONS, "create")
    check_writable_fields(ctx, SUBSCRIPTIONS, cmd.values)
    v = cmd.values
    currency = invoice_rules.check_currency(v.get("currency", ""))
    line = lines.subscription_line(v)
    lines.check_subscription_line(line, currency)
    schedule = rules.new_schedule(
        v.get("period", ""), v.get("start_date") or today(), v.get("end_date"),
        auto_renew=bool(v.get("auto_renew")), mode=v.get("invoice_mode", ""), today=today(),
    )  # fmt: skip
    async with deps.uow() as uow:
        repo = ScheduleRepository(uow.session, tenant(ctx))
        await _check_product(repo, line.product_id)
        row = SubscriptionRow(
            id=uuid.uuid4(), tenant_id=repo.tenant_id, account_id=v["account_id"],
            currency=currency, payment_terms_days=terms(v.get("payment_terms_days")),
            cancel_reason="", created_by=actor(ctx), updated_by=actor(ctx),
            **_line_columns(line), **schedule,
        )  # fmt: skip
        uow.session.add(row)
        uow.record(subscription_event(rules.SUBSCRIPTION_CREATED, row, ctx))
        await commit(uow)
    return row


async def get_subscription(
    subscription_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps
) -> SubscriptionRow:
    require(ctx, SUBSCRIPTIONS, "view")
    async with deps.uow() as uow:
        repo = ScheduleRepository(uow.session, tenant(ctx))
        return await repo.one(SubscriptionRow, subscription_id)


async def list_subscriptions(
    ctx: AccessContext, deps: InventoryDeps, filters: ScheduleFilters, *, limit: int,
    cursor: str | None,
) -> Page[SubscriptionRow]:  # fmt: skip
    require(ctx, SUBSCRIPTIONS, "view")
    async with deps.uow() as uow:
        repo = ScheduleRepository(uow.session, tenant(ctx))
        return await repo.page(SubscriptionRow, filters, limit=limit, cursor=cursor)


async def update_subscription(
    cmd: UpdateRecord, ctx: AccessContext, deps: InventoryDeps
) -> SubscriptionRow:
    """What is billed and the term; periods already billed keep their invoices."""
    require(ctx, SUBSCRIPTIONS, "edit")
    check_writable_fields(ctx, SUBSCRIPTIONS, cmd.changes)
    async with deps.uow() as uow:
        repo = ScheduleRepository(uow.session, tenant(ctx))
        row = await changeable(repo, SubscriptionRow, cmd.record_id, cmd.expected_version)
        if any(name in cmd.changes for name in LINE_FIELDS):
            line = lines.subscription_line({**_line_values(row), **cmd.changes})
            lines.check_subscription_line(line, row.currency)
            if "product_id" in cmd.changes:
                await _check_product(repo, line.product_id)
            for name, value in _line_columns(line).items():
                setattr(row, name, value)
        apply_schedule_changes(row, cmd.changes)
        row.updated_by = actor(ctx)
        await commit(uow)
    return row


async def cancel_subscription(
    cmd: CancelSubscription, ctx: AccessContext, deps: InventoryDeps
) -> SubscriptionRow:
    """At period end: no renewal, billing stops after the period containing
    today (the generator then marks it cancelled). Immediately: no further
    invoice; those made stay (credit notes correct them)."""
    require(ctx, SUBSCRIPTIONS, "edit")
    at = rules.check_cancel_at(cmd.at)
    async with deps.uow() as uow:
        repo = ScheduleRepository(uow.session, tenant(ctx))
        row = await changeable(repo, SubscriptionRow, cmd.subscription_id, cmd.expected_version)
        if row.cancelled_at is not None and at == rules.AT_PERIOD_END:
            raise FailedPrecondition("the subscription is cancelled at period end already")
        now = datetime.now(UTC)
        end = None if at == rules.IMMEDIATELY else rules.cancellation_end(
            row.start_date, row.period, now.date()
        )  # fmt: skip
        if end is None:
            row.status, effective = rules.CANCELLED, now.date()
        else:
            row.end_date = effective = min(end, row.end_date or end)
        row.cancelled_at, row.cancel_reason, row.auto_renew = now, cmd.reason.strip(), False
        row.updated_by = actor(ctx)
        uow.record(subscription_event(rules.SUBSCRIPTION_CANCELLED, row, ctx, effective))
        await commit(uow)
    return row


def subscription_event(
    subject: str, row: SubscriptionRow, ctx: AccessContext | None, effective: date | None = None
) -> NewEvent:
    """Ids, dates and the state (SubscriptionEvent in subscriptions.proto)."""
    who = (ctx.user_id or ctx.api_key_id) if ctx else ""
    payload = subscriptions_pb2.SubscriptionEvent(
        subscription_id=str(row.id), account_id=str(row.account_id), status=row.status,
        period=row.period, start_date=row.start_date.isoformat(),
        end_date=row.end_date.isoformat() if row.end_date else "",
        next_period_start=row.next_period_start.isoformat(), auto_renew=row.auto_renew,
        effective_date=effective.isoformat() if effective else "", actor_id=who,
    )  # fmt: skip
    return NewEvent(subject, str(row.tenant_id), str(row.id), payload, actor_id=who)


async def _check_product(repo: ScheduleRepository, product_id: uuid.UUID | None) -> None:
    if product_id is not None and not await repo.product_exists(product_id):
        raise InvalidArgument.for_field("product_id", "no such product")


def _line_values(row: SubscriptionRow) -> dict[str, Any]:
    return {
        "description": row.description, "product_id": row.product_id,
        "quantity": row.quantity, "price": row.price, "taxes": lines.taxes_of(row.taxes),
    }  # fmt: skip


def _line_columns(line: invoice_rules.LineSpec) -> Mapping[str, Any]:
    return {
        "description": line.description.strip(), "product_id": line.product_id,
        "quantity": line.quantity, "price": line.unit_price,
        "taxes": lines.taxes_json(line.taxes),
    }  # fmt: skip
