"""Queries of billing records, always within one tenant. Billing belongs to the
tenant, not to a user: no owner filter (module permissions decide); another
tenant's record is simply *not found*."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from inventory.adapters.orm_billing import (
    AllocationRow,
    CreditNoteRow,
    InstallmentPlanRow,
    InvoiceRow,
    PaymentRow,
)
from inventory.domain.invoices import VOID


@dataclass(frozen=True)
class InvoiceFilters:
    status: str = ""
    account_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    deal_id: uuid.UUID | None = None


class BillingRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # ---- invoices ----

    def _invoices(self) -> sa.Select[Any]:
        return sa.select(InvoiceRow).where(
            InvoiceRow.tenant_id == self.tenant_id, active(InvoiceRow)
        )

    async def invoice(self, invoice_id: uuid.UUID, *, for_update: bool = False) -> InvoiceRow:
        stmt = self._invoices().where(InvoiceRow.id == invoice_id)
        if for_update:
            stmt = stmt.with_for_update()
        found = await self.session.scalar(stmt)
        if found is None:
            raise NotFound("invoice not found")
        return found

    async def lock_invoices(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, InvoiceRow]:
        """The tenant's invoices among ``ids``, locked in id order: two payments
        touching the same invoices queue instead of deadlocking."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        stmt = self._invoices().where(InvoiceRow.id.in_(wanted))
        rows = await self.session.scalars(stmt.order_by(InvoiceRow.id).with_for_update())
        return {row.id: row for row in rows}

    async def invoice_page(
        self, filters: InvoiceFilters, *, limit: int, cursor: str | None
    ) -> Page[InvoiceRow]:
        stmt = self._invoices()
        if filters.status:
            stmt = stmt.where(InvoiceRow.status == filters.status)
        for column, value in (
            (InvoiceRow.account_id, filters.account_id),
            (InvoiceRow.order_id, filters.order_id),
            (InvoiceRow.deal_id, filters.deal_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        order = (InvoiceRow.created_at, InvoiceRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def invoiced(self, source: str, *, order_id: uuid.UUID | None = None,
                       deal_id: uuid.UUID | None = None) -> bool:  # fmt: skip
        """Whether an invoice that is not void names this order (or deal), or one
        drafted from ``source`` for it exists at all (its unique index)."""
        stmt = sa.select(InvoiceRow.id).where(
            InvoiceRow.tenant_id == self.tenant_id,
            sa.or_(InvoiceRow.status != VOID, InvoiceRow.source == source),
        )
        if order_id is not None:
            stmt = stmt.where(InvoiceRow.order_id == order_id)
        if deal_id is not None:
            stmt = stmt.where(InvoiceRow.deal_id == deal_id)
        return await self.session.scalar(stmt.limit(1)) is not None

    async def has_documents(self, invoice_id: uuid.UUID) -> bool:
        """Payments allocated to it or credit notes against it (void is refused)."""
        paid = sa.select(AllocationRow.id).where(AllocationRow.invoice_id == invoice_id)
        credited = sa.select(CreditNoteRow.id).where(CreditNoteRow.invoice_id == invoice_id)
        return bool(await self.session.scalar(sa.select(sa.exists(paid) | sa.exists(credited))))

    # ---- credit notes, payments, plans ----

    async def credit_note_page(
        self, invoice_id: uuid.UUID | None, *, limit: int, cursor: str | None
    ) -> Page[CreditNoteRow]:
        stmt = sa.select(CreditNoteRow).where(CreditNoteRow.tenant_id == self.tenant_id)
        if invoice_id is not None:
            stmt = stmt.where(CreditNoteRow.invoice_id == invoice_id)
        order = (CreditNoteRow.created_at, CreditNoteRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def payment(self, payment_id: uuid.UUID) -> PaymentRow:
        found = await self.session.scalar(
            sa.select(PaymentRow).where(
                PaymentRow.id == payment_id, PaymentRow.tenant_id == self.tenant_id
            )
        )
        if found is None:
            raise NotFound("payment not found")
        return found

    async def payment_page(
        self,
        account_id: uuid.UUID | None,
        invoice_id: uuid.UUID | None,
        *,
        limit: int,
        cursor: str | None,
    ) -> Page[PaymentRow]:
        stmt = sa.select(PaymentRow).where(PaymentRow.tenant_id == self.tenant_id)
        if account_id is not None:
            stmt = stmt.where(PaymentRow.account_id == account_id)
        if invoice_id is not None:
            allocated = sa.select(AllocationRow.payment_id).where(
                AllocationRow.invoice_id == invoice_id
            )
            stmt = stmt.where(PaymentRow.id.in_(allocated))
        order = (PaymentRow.created_at, PaymentRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def credit_of(self, account_id: uuid.UUID) -> dict[str, Decimal]:
        """The account's unallocated payments, per currency (non-zero only)."""
        rows = await self.session.execute(
            sa.select(PaymentRow.currency, sa.func.sum(PaymentRow.unallocated))
            .where(
                PaymentRow.tenant_id == self.tenant_id,
                PaymentRow.account_id == account_id,
                PaymentRow.unallocated > 0,
            )
            .group_by(PaymentRow.currency)
            .order_by(PaymentRow.currency)
        )
        return {str(row[0]): Decimal(row[1]) for row in rows}

    async def plan_page(
        self, invoice_id: uuid.UUID | None, *, limit: int, cursor: str | None
    ) -> Page[InstallmentPlanRow]:
        stmt = sa.select(InstallmentPlanRow).where(InstallmentPlanRow.tenant_id == self.tenant_id)
        if invoice_id is not None:
            stmt = stmt.where(InstallmentPlanRow.invoice_id == invoice_id)
        order = (InstallmentPlanRow.created_at, InstallmentPlanRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def plan_exists(self, invoice_id: uuid.UUID) -> bool:
        stmt = sa.select(InstallmentPlanRow.id).where(
            InstallmentPlanRow.tenant_id == self.tenant_id,
            InstallmentPlanRow.invoice_id == invoice_id,
        )
        return await self.session.scalar(stmt) is not None

    async def invoices_by_id(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, InvoiceRow]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = await self.session.scalars(self._invoices().where(InvoiceRow.id.in_(wanted)))
        return {row.id: row for row in rows}
