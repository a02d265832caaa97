"""Where reserved units come from and which reserved units a delivery ships:
pure functions over quantities, no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from crm_common.errors import FailedPrecondition, InvalidArgument
from inventory.domain.stock import check_quantity, check_serials, quantity_text


@dataclass(frozen=True)
class Shortage:
    product_id: uuid.UUID
    requested: Decimal
    available: Decimal

    @property
    def missing(self) -> Decimal:
        return self.requested - self.available


@dataclass(frozen=True)
class Take:
    """``quantity`` of ``product_id`` from ``warehouse_id`` for the line ``line``."""

    line: int
    product_id: uuid.UUID
    warehouse_id: uuid.UUID
    quantity: Decimal


def shortages(
    needed: Mapping[uuid.UUID, Decimal], available: Mapping[uuid.UUID, Decimal]
) -> list[Shortage]:
    """Products of which fewer units are available than needed, by product id."""
    return [
        Shortage(pid, qty, max(Decimal(0), available.get(pid, Decimal(0))))
        for pid, qty in sorted(needed.items())
        if available.get(pid, Decimal(0)) < qty
    ]


def allocate(
    lines: Sequence[Mapping[uuid.UUID, Decimal]],
    stock: Mapping[uuid.UUID, Mapping[uuid.UUID, Decimal]],
) -> list[Take]:
    """Where each line's units come from: per product, the warehouse with the
    most available first (ties by id), then the next. ``stock``: product ->
    warehouse -> available. The caller checked there are no shortages."""
    left = {pid: dict(by_warehouse) for pid, by_warehouse in stock.items()}
    takes: list[Take] = []
    for index, needs in enumerate(lines):
        for product_id, quantity in sorted(needs.items()):
            warehouses = left.get(product_id, {})
            wanted = quantity
            for warehouse_id in sorted(warehouses, key=lambda w: (-warehouses[w], w)):
                take = min(wanted, warehouses[warehouse_id])
                if take > 0:
                    takes.append(Take(index, product_id, warehouse_id, take))
                    warehouses[warehouse_id] -= take
                    wanted -= take
    return takes


@dataclass(frozen=True)
class Open:
    """What is still reserved on one reservation line."""

    line_id: uuid.UUID
    product_id: uuid.UUID
    remaining: Decimal


@dataclass(frozen=True)
class Ship:
    line_id: uuid.UUID
    quantity: Decimal
    serials: tuple[str, ...]


def plan_shipment(
    open_lines: Sequence[Open], asked: Sequence[tuple[uuid.UUID, Decimal | None, Sequence[str]]]
) -> list[Ship]:
    """Which reservation lines a delivery ships. ``asked`` empty: everything still
    reserved. Otherwise per asked (product, quantity or all, serials): the
    product's open lines in order; 409 when more is asked than is reserved."""
    if not asked:
        return [Ship(o.line_id, o.remaining, ()) for o in open_lines if o.remaining > 0]
    plan: list[Ship] = []
    seen: set[uuid.UUID] = set()
    for index, (product_id, quantity, serials) in enumerate(asked):
        if product_id in seen:
            raise InvalidArgument.for_field(f"lines[{index}].product_id", "each product once")
        seen.add(product_id)
        mine = [o for o in open_lines if o.product_id == product_id and o.remaining > 0]
        reserved = sum((o.remaining for o in mine), Decimal(0))
        wanted = reserved if quantity is None else quantity
        if not mine or wanted > reserved:
            raise FailedPrecondition(
                f"lines[{index}]: {quantity_text(reserved)} of the product are reserved"
            )
        check_quantity(f"lines[{index}].quantity", wanted)
        left = list(check_serials(f"lines[{index}].serials", serials, wanted))
        for line in mine:
            take = min(wanted, line.remaining)
            if take > 0:
                count = int(take) if left else 0
                plan.append(Ship(line.line_id, take, tuple(left[:count])))
                left, wanted = left[count:], wanted - take
    return plan
