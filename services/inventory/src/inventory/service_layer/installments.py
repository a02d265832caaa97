"""Installment plans: an open invoice's total as a schedule of amounts and due
dates (one plan per invoice). Each installment's state is worked out when read:
the invoice's payments and credits cover installments earliest first, and one
not fully covered after its due date is overdue."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from crm_common.access import AccessContext, require
from crm_common.errors import AlreadyExists, FailedPrecondition
from crm_common.pagination import Page
from inventory.adapters.billing_repository import BillingRepository
from inventory.adapters.orm_billing import InstallmentPlanRow, InstallmentRow, InvoiceRow
from inventory.domain import invoices as rules
from inventory.domain import payments as pay
from inventory.domain.invoices import INVOICES
from inventory.domain.payments import InstallmentSpec, InstallmentState
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.shared import actor, commit, tenant


@dataclass(frozen=True)
class NewPlan:
    invoice_id: uuid.UUID
    installments: tuple[InstallmentSpec, ...]


@dataclass(frozen=True)
class PlanView:
    row: InstallmentPlanRow
    states: list[InstallmentState]


async def create_plan(cmd: NewPlan, ctx: AccessContext, deps: InventoryDeps) -> PlanView:
    require(ctx, INVOICES, "edit")
    async with deps.uow() as uow:
        repo = BillingRepository(uow.session, tenant(ctx))
        invoice = await repo.invoice(cmd.invoice_id, for_update=True)
        if invoice.status not in rules.OPEN:
            raise FailedPrecondition(f"a {invoice.status} invoice gets no installment plan")
        if await repo.plan_exists(invoice.id):
            raise AlreadyExists("the invoice has an installment plan", field="invoice_id")
        pay.check_installments(cmd.installments, invoice.total, invoice.currency)
        plan = InstallmentPlanRow(
            id=uuid.uuid4(), tenant_id=invoice.tenant_id, invoice_id=invoice.id,
            currency=invoice.currency, created_by=actor(ctx),
            installments=[
                InstallmentRow(tenant_id=invoice.tenant_id, position=i, due_date=s.due_date,
                               amount=s.amount)
                for i, s in enumerate(cmd.installments)
            ],
        )  # fmt: skip
        uow.session.add(plan)
        await commit(uow)
    return _view(plan, invoice)


async def list_plans(
    ctx: AccessContext, deps: InventoryDeps, invoice_id: uuid.UUID | None, *, limit: int,
    cursor: str | None,
) -> Page[PlanView]:  # fmt: skip
    require(ctx, INVOICES, "view")
    async with deps.uow() as uow:
        repo = BillingRepository(uow.session, tenant(ctx))
        page = await repo.plan_page(invoice_id, limit=limit, cursor=cursor)
        invoices = await repo.invoices_by_id(p.invoice_id for p in page.items)
    return Page([_view(p, invoices[p.invoice_id]) for p in page.items], page.next_cursor)


def _view(plan: InstallmentPlanRow, invoice: InvoiceRow) -> PlanView:
    specs = [InstallmentSpec(i.due_date, i.amount) for i in plan.installments]
    covered = invoice.amount_paid + invoice.amount_credited
    return PlanView(plan, pay.schedule(specs, covered, datetime.now(UTC).date()))
