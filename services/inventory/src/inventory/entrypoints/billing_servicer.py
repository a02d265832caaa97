"""BillingService servicer: parse, resolve the caller's access, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.common.v1 import types_pb2
from crm.inventory.v1 import billing_pb2 as pb
from crm.inventory.v1 import billing_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from inventory import mappers_billing as mappers
from inventory.mappers import money_str, page_to_pb
from inventory.service_layer import credit_notes, installments, invoices, payments
from inventory.service_layer.deps import AccessResolver, InventoryDeps

Context: TypeAlias = grpc.aio.ServicerContext


class BillingServicer(billing_pb2_grpc.BillingServiceServicer):
    def __init__(self, deps: InventoryDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    # ---- invoices ----

    async def CreateInvoice(self, request: pb.CreateInvoiceRequest, context: Context) -> pb.Invoice:
        cmd = mappers.create_invoice_cmd(request)
        return mappers.invoice_to_pb(
            await invoices.create_invoice(cmd, await self._ctx(), self._deps)
        )

    async def GetInvoice(self, request: pb.GetInvoiceRequest, context: Context) -> pb.Invoice:
        invoice_id = parse_uuid(request.id)
        return mappers.invoice_to_pb(
            await invoices.get_invoice(invoice_id, await self._ctx(), self._deps)
        )

    async def ListInvoices(
        self, request: pb.ListInvoicesRequest, context: Context
    ) -> pb.ListInvoicesResponse:
        page = await invoices.list_invoices(
            await self._ctx(), self._deps, mappers.invoice_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListInvoicesResponse(
            items=[mappers.invoice_to_pb(i) for i in page.items], page=page_to_pb(page)
        )

    async def UpdateInvoice(self, request: pb.UpdateInvoiceRequest, context: Context) -> pb.Invoice:
        cmd = mappers.update_invoice_cmd(request)
        return mappers.invoice_to_pb(
            await invoices.update_invoice(cmd, await self._ctx(), self._deps)
        )

    async def IssueInvoice(self, request: pb.InvoiceActionRequest, context: Context) -> pb.Invoice:
        cmd = mappers.action_cmd(request)
        return mappers.invoice_to_pb(
            await invoices.issue_invoice(cmd, await self._ctx(), self._deps)
        )

    async def VoidInvoice(self, request: pb.InvoiceActionRequest, context: Context) -> pb.Invoice:
        cmd = mappers.action_cmd(request)
        return mappers.invoice_to_pb(
            await invoices.void_invoice(cmd, await self._ctx(), self._deps)
        )

    # ---- credit notes ----

    async def CreateCreditNote(
        self, request: pb.CreateCreditNoteRequest, context: Context
    ) -> pb.CreditNote:
        cmd = mappers.credit_note_cmd(request)
        note = await credit_notes.create_credit_note(cmd, await self._ctx(), self._deps)
        return mappers.credit_note_to_pb(note)

    async def ListCreditNotes(
        self, request: pb.ListCreditNotesRequest, context: Context
    ) -> pb.ListCreditNotesResponse:
        page = await credit_notes.list_credit_notes(
            await self._ctx(), self._deps,
            mappers.optional_uuid(request.invoice_id, "invoice_id"),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListCreditNotesResponse(
            items=[mappers.credit_note_to_pb(n) for n in page.items], page=page_to_pb(page)
        )

    # ---- payments ----

    async def CreatePayment(self, request: pb.CreatePaymentRequest, context: Context) -> pb.Payment:
        cmd = mappers.payment_cmd(request)
        payment = await payments.create_payment(cmd, await self._ctx(), self._deps)
        return mappers.payment_to_pb(payment)

    async def GetPayment(self, request: pb.GetPaymentRequest, context: Context) -> pb.Payment:
        payment_id = parse_uuid(request.id)
        return mappers.payment_to_pb(
            await payments.get_payment(payment_id, await self._ctx(), self._deps)
        )

    async def ListPayments(
        self, request: pb.ListPaymentsRequest, context: Context
    ) -> pb.ListPaymentsResponse:
        found = await payments.list_payments(
            await self._ctx(), self._deps,
            mappers.optional_uuid(request.account_id, "account_id"),
            mappers.optional_uuid(request.invoice_id, "invoice_id"),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListPaymentsResponse(
            items=[mappers.payment_to_pb(p) for p in found.page.items],
            page=page_to_pb(found.page),
            credit=[
                types_pb2.Money(amount=money_str(amount, currency), currency=currency)
                for currency, amount in found.credit.items()
            ],
        )

    # ---- installment plans ----

    async def CreateInstallmentPlan(
        self, request: pb.CreateInstallmentPlanRequest, context: Context
    ) -> pb.InstallmentPlan:
        cmd = mappers.plan_cmd(request)
        return mappers.plan_to_pb(
            await installments.create_plan(cmd, await self._ctx(), self._deps)
        )

    async def ListInstallmentPlans(
        self, request: pb.ListInstallmentPlansRequest, context: Context
    ) -> pb.ListInstallmentPlansResponse:
        page = await installments.list_plans(
            await self._ctx(), self._deps,
            mappers.optional_uuid(request.invoice_id, "invoice_id"),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListInstallmentPlansResponse(
            items=[mappers.plan_to_pb(p) for p in page.items], page=page_to_pb(page)
        )
