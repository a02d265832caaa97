"""What the purchasing handlers share: the records they return, events, today,
and the commit that turns lost races into the right errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm.inventory.v1 import purchasing_pb2
from crm_common.access import AccessContext, hidden_fields
from crm_common.db import UnitOfWork
from crm_common.errors import AlreadyExists, VersionConflict
from crm_common.events.envelope import NewEvent
from crm_common.money import Money
from inventory.adapters.orm_purchasing import BillRow, PurchaseOrderRow, ReceiptNoteRow
from inventory.domain.purchasing import PURCHASE_ORDERS

BILL_REFERENCE_INDEX = "uq_bills_vendor_reference"
PO_NUMBER_INDEX = "uq_purchase_orders_number"


@dataclass(frozen=True)
class VisibleOrder:
    row: PurchaseOrderRow
    hidden: frozenset[str]


@dataclass(frozen=True)
class VisibleBill:
    row: BillRow
    hidden: frozenset[str]


def visible_order(row: PurchaseOrderRow, ctx: AccessContext) -> VisibleOrder:
    return VisibleOrder(row, hidden_fields(ctx, PURCHASE_ORDERS))


def visible_bill(row: BillRow, ctx: AccessContext) -> VisibleBill:
    return VisibleBill(row, hidden_fields(ctx, PURCHASE_ORDERS))


def today() -> date:
    return datetime.now(UTC).date()


def who(ctx: AccessContext) -> str:
    return ctx.user_id or ctx.api_key_id


def plain(value: Decimal) -> str:
    """A quantity without trailing zeros or exponent ("6", "2.5")."""
    return format(value.normalize(), "f")


async def commit(uow: UnitOfWork) -> None:
    """Commit; a stale version is 409 (ABORTED), a vendor reference recorded by a
    concurrent writer is 409 naming ``vendor_reference``."""
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("the record changed concurrently; read it again") from exc
    except IntegrityError as exc:
        if BILL_REFERENCE_INDEX in str(exc.orig):
            raise AlreadyExists(
                "this vendor's bill was recorded already", field="vendor_reference"
            ) from exc
        raise


def order_event(
    subject: str,
    order: PurchaseOrderRow,
    ctx: AccessContext,
    receipt: ReceiptNoteRow | None = None,
) -> NewEvent:
    """Ids and figures; a receipt's lines when one is named."""
    lines = [
        purchasing_pb2.ReceiptLine(
            line_id=str(line.line_id),
            product_id=str(line.product_id),
            quantity=plain(line.quantity),
        )
        for line in (receipt.lines if receipt else [])
    ]
    payload = purchasing_pb2.PurchaseOrderEvent(
        purchase_order_id=str(order.id), number=order.number, vendor_id=str(order.vendor_id),
        status=order.status, currency=order.currency,
        total=Money(order.total, order.currency).to_str(),
        warehouse_id=str(receipt.warehouse_id if receipt else order.warehouse_id),
        receipt_id=str(receipt.id) if receipt else "", lines=lines, actor_id=who(ctx),
    )  # fmt: skip
    return NewEvent(subject, str(order.tenant_id), str(order.id), payload, actor_id=who(ctx))


def bill_event(subject: str, bill: BillRow, ctx: AccessContext) -> NewEvent:
    flagged = [str(li.id) for li in bill.lines if li.quantity_mismatch or li.price_mismatch]
    payload = purchasing_pb2.BillEvent(
        bill_id=str(bill.id), purchase_order_id=str(bill.purchase_order_id),
        vendor_id=str(bill.vendor_id), status=bill.status, currency=bill.currency,
        total=Money(bill.total, bill.currency).to_str(), mismatched_line_ids=flagged,
        actor_id=who(ctx),
    )  # fmt: skip
    return NewEvent(subject, str(bill.tenant_id), str(bill.id), payload, actor_id=who(ctx))
