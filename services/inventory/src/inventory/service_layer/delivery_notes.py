"""Delivery notes ship what is reserved for a sales order: reserved and on hand
go down together (shipment movements), serial numbers become assets of the
order's account. One unit of work: the note, the movements, the assets and
``crm.inventory.delivery_note.shipped`` commit together or not at all."""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from crm.inventory.v1 import stock_pb2
from crm_common.access import AccessContext, require
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import AlreadyExists, FailedPrecondition, NotFound
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from inventory.adapters.orm_stock import (
    AssetRow,
    DeliveryNoteRow,
    OrderReservationRow,
    ReservationLineRow,
)
from inventory.adapters.stock_repository import StockRepository
from inventory.domain import stock as rules
from inventory.domain import stock_allocation as allocation
from inventory.domain.stock_commands import CreateDeliveryNote
from inventory.service_layer import stock_payloads as payloads
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.reservations import SHIPPABLE, remaining, reservation_lines
from inventory.service_layer.shared import actor, tenant
from inventory.service_layer.stock_ledger import Cause, move
from inventory.service_layer.warehouses import STOCK

SERIAL_INDEX = "uq_assets_serial"


async def create_delivery_note(
    cmd: CreateDeliveryNote, ctx: AccessContext, deps: InventoryDeps
) -> DeliveryNoteRow:
    require(ctx, STOCK, "create")
    asked = [(ln.product_id, ln.quantity, ln.serials) for ln in cmd.lines]
    async with deps.uow() as uow:
        key = await _reservation(uow, tenant(ctx), cmd.order_id)
        lines = {ln.id: ln for ln in await reservation_lines(uow, key)}
        opened = [allocation.Open(ln.id, ln.product_id, remaining(ln)) for ln in lines.values()]
        plan = allocation.plan_shipment(opened, asked)
        note = DeliveryNoteRow(id=uuid.uuid4(), tenant_id=key.tenant_id, order_id=key.order_id,
                               account_id=key.account_id, status="shipped", shipped_at=utcnow(),
                               created_by=actor(ctx), updated_by=actor(ctx), lines=[])  # fmt: skip
        uow.session.add(note)
        await _ship(uow, note, plan, lines, actor(ctx))
        still = any(remaining(ln) > 0 for ln in lines.values())
        key.status, key.updated_at = ("partially_shipped" if still else "shipped"), utcnow()
        assets = await _assets(uow, note)
        uow.record(_shipped(note, assets))
        await _commit(uow)
    return note


async def get_delivery_note(
    note_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps
) -> DeliveryNoteRow:
    require(ctx, STOCK, "view")
    async with deps.uow() as uow:
        note = await uow.session.scalar(
            sa.select(DeliveryNoteRow).where(
                DeliveryNoteRow.id == note_id, DeliveryNoteRow.tenant_id == tenant(ctx),
                active(DeliveryNoteRow),
            )
        )  # fmt: skip
    if note is None:
        raise NotFound("delivery note not found")
    return note


async def list_delivery_notes(
    ctx: AccessContext, deps: InventoryDeps, *, order_id: uuid.UUID | None, limit: int,
    cursor: str | None,
) -> Page[DeliveryNoteRow]:  # fmt: skip
    require(ctx, STOCK, "view")
    stmt = sa.select(DeliveryNoteRow).where(
        DeliveryNoteRow.tenant_id == tenant(ctx), active(DeliveryNoteRow)
    )
    if order_id is not None:
        stmt = stmt.where(DeliveryNoteRow.order_id == order_id)
    async with deps.uow() as uow:
        order = (DeliveryNoteRow.created_at, DeliveryNoteRow.id)
        return await paginate(uow.session, stmt, order, limit=limit, cursor=cursor)


async def _reservation(
    uow: UnitOfWork, tenant_id: uuid.UUID, order_id: uuid.UUID
) -> OrderReservationRow:
    """The order's reservation, locked: two deliveries of one order take turns."""
    key = await uow.session.scalar(
        sa.select(OrderReservationRow)
        .where(OrderReservationRow.tenant_id == tenant_id, OrderReservationRow.order_id == order_id)
        .with_for_update()
    )
    if key is None:
        raise NotFound("no stock is reserved for this order")
    if key.status not in SHIPPABLE:
        raise FailedPrecondition(f"the order's reservation is {key.status}; nothing to ship")
    return key


async def _ship(
    uow: UnitOfWork,
    note: DeliveryNoteRow,
    plan: list[allocation.Ship],
    lines: dict[uuid.UUID, ReservationLineRow],
    actor_id: uuid.UUID | None,
) -> None:
    repo = StockRepository(uow.session, note.tenant_id)
    levels = await repo.lock_levels((lines[s.line_id].product_id, lines[s.line_id].warehouse_id)
                                    for s in plan)  # fmt: skip
    cause = Cause("delivery_note", note.id, actor_id, "shipped")
    for ship in plan:
        line = lines[ship.line_id]
        level = levels[(line.product_id, line.warehouse_id)]
        move(uow, level, kind=rules.SHIPMENT, quantity_delta=-ship.quantity,
             reserved_delta=-ship.quantity, cause=cause)  # fmt: skip
        line.shipped += ship.quantity
        note.lines = [*note.lines, {
            "product_id": str(line.product_id), "warehouse_id": str(line.warehouse_id),
            "quantity": rules.quantity_text(ship.quantity), "serials": list(ship.serials),
        }]  # fmt: skip


async def _assets(uow: UnitOfWork, note: DeliveryNoteRow) -> list[AssetRow]:
    assets = [
        AssetRow(id=uuid.uuid4(), tenant_id=note.tenant_id, serial_number=serial,
                 product_id=uuid.UUID(str(line["product_id"])), account_id=note.account_id,
                 order_id=note.order_id, delivery_note_id=note.id, delivered_at=note.shipped_at,
                 status="delivered", created_by=note.created_by, updated_by=note.created_by)
        for line in note.lines
        for serial in list(line["serials"])  # type: ignore[call-overload]
    ]  # fmt: skip
    for asset in assets:
        taken = await uow.session.scalar(
            sa.select(AssetRow.id).where(
                AssetRow.tenant_id == asset.tenant_id, AssetRow.product_id == asset.product_id,
                AssetRow.serial_number == asset.serial_number,
            )
        )  # fmt: skip
        if taken is not None:
            raise AlreadyExists(f"serial {asset.serial_number} is delivered already", "serials")
    await uow.session.flush()  # the note before the assets that name it
    uow.session.add_all(assets)
    return assets


def _shipped(note: DeliveryNoteRow, assets: list[AssetRow]) -> NewEvent:
    payload = stock_pb2.DeliveryNoteShipped(
        delivery_note_id=str(note.id), order_id=str(note.order_id),
        account_id=str(note.account_id or ""),
        lines=[payloads.stock_line(uuid.UUID(str(ln["product_id"])), Decimal(str(ln["quantity"])),
                                   uuid.UUID(str(ln["warehouse_id"])), "") for ln in note.lines],
        asset_ids=[str(a.id) for a in assets],
    )  # fmt: skip
    return NewEvent(rules.DELIVERY_SHIPPED, str(note.tenant_id), str(note.id), payload,
                    actor_id=str(note.created_by or ""))  # fmt: skip


async def _commit(uow: UnitOfWork) -> None:
    """A serial delivered concurrently loses at the unique index: 409 too."""
    try:
        await uow.commit()
    except IntegrityError as exc:
        if SERIAL_INDEX in str(exc.orig):
            raise AlreadyExists("a serial number is delivered already", "serials") from exc
        raise
