"""The one place a stock level changes: every change writes a movement to the
append-only ledger in the caller's unit of work, then settles the product's
low-stock state. Nothing here commits; the caller's transaction decides.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from crm.inventory.v1 import stock_pb2
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import InvalidArgument
from crm_common.events.envelope import NewEvent
from inventory.adapters.orm import ProductRow
from inventory.adapters.orm_stock import StockLevelRow, StockMovementRow
from inventory.adapters.product_repository import ProductRepository
from inventory.adapters.stock_repository import StockRepository
from inventory.domain import stock as rules

ZERO = Decimal(0)


@dataclass(frozen=True)
class Cause:
    """Why stock moved: what document, who, and in words."""

    reference_type: str
    reference_id: uuid.UUID | None
    actor_id: uuid.UUID | None
    reason: str = ""


async def receive_stock(
    uow: UnitOfWork,
    *,
    tenant_id: uuid.UUID,
    product_id: uuid.UUID,
    warehouse_id: uuid.UUID,
    quantity: Decimal,
    reference_type: str,
    reference_id: uuid.UUID,
    actor_id: uuid.UUID | None,
) -> None:
    """Raise ``on_hand`` by ``quantity`` (> 0) with a receipt movement, inside the
    caller's unit of work (no commit). For purchasing's receipt notes.

    NOT_FOUND for an unknown product or warehouse of the tenant; INVALID_ARGUMENT
    (``quantity`` or ``product_id``) for a bad quantity or an untracked product.
    """
    rules.check_quantity("quantity", quantity)
    repo = StockRepository(uow.session, tenant_id)
    await tracked_product(uow, tenant_id, product_id)
    await repo.warehouse(warehouse_id)
    levels = await repo.lock_levels([(product_id, warehouse_id)])
    cause = Cause(reference_type, reference_id, actor_id, "received")
    level = levels[(product_id, warehouse_id)]
    move(uow, level, kind=rules.RECEIPT, quantity_delta=quantity, cause=cause)
    await settle_low_stock(uow, repo, [product_id])


async def tracked_product(
    uow: UnitOfWork, tenant_id: uuid.UUID, product_id: uuid.UUID, field: str = "product_id"
) -> ProductRow:
    """A live stock-tracked product of the tenant (only those have levels)."""
    product = await ProductRepository(uow.session, tenant_id).get(product_id)
    if not product.stock_tracked:
        raise InvalidArgument.for_field(field, "the product is not stock-tracked")
    return product


def move(
    uow: UnitOfWork,
    level: StockLevelRow,
    *,
    kind: str,
    quantity_delta: Decimal,
    reserved_delta: Decimal = Decimal(0),
    cause: Cause,
) -> None:
    """Apply one movement to a level locked by the caller and append it to the
    ledger; 409 when the level would go below what is reserved (or zero)."""
    after = rules.apply(rules.Level(level.on_hand, level.reserved), quantity_delta, reserved_delta)
    level.on_hand, level.reserved, level.updated_at = after.on_hand, after.reserved, utcnow()
    uow.session.add(
        StockMovementRow(
            tenant_id=level.tenant_id,
            product_id=level.product_id,
            warehouse_id=level.warehouse_id,
            kind=kind,
            quantity_delta=quantity_delta,
            reserved_delta=reserved_delta,
            reference_type=cause.reference_type,
            reference_id=cause.reference_id,
            reason=cause.reason,
            at=utcnow(),
            by=cause.actor_id,
        )
    )


async def settle_low_stock(
    uow: UnitOfWork, repo: StockRepository, product_ids: Iterable[uuid.UUID]
) -> None:
    """After movements: publish ``crm.inventory.stock.low`` for each product whose
    availability (all warehouses) just dropped below its reorder level. The state
    row is locked after the levels (the repository's lock order), so concurrent
    movements of one product judge the crossing one at a time."""
    for product_id in sorted(set(product_ids)):
        product = await uow.session.get(ProductRow, product_id)
        if product is None or product.tenant_id != repo.tenant_id:
            continue
        state = await repo.lock_low_state(product_id)
        on_hand, reserved = (await repo.totals([product_id])).get(product_id, (ZERO, ZERO))
        available = on_hand - reserved
        low = rules.crosses_low(available, product.reorder_level, state.low)
        if low is None:
            continue
        state.low, state.changed_at = low, utcnow()
        if low:
            uow.record(
                NewEvent(
                    type=rules.STOCK_LOW,
                    tenant_id=str(repo.tenant_id),
                    subject_id=str(product_id),
                    payload=stock_pb2.StockLow(
                        product_id=str(product_id),
                        sku=product.sku,
                        available=rules.quantity_text(available),
                        reorder_level=rules.quantity_text(product.reorder_level),
                    ),
                )
            )
