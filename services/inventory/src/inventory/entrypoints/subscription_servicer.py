"""SubscriptionService servicer: parse, resolve the caller's access, call a
handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.inventory.v1 import subscriptions_pb2 as pb
from crm.inventory.v1 import subscriptions_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from inventory import mappers_subscriptions as mappers
from inventory.mappers import page_to_pb
from inventory.service_layer import recurring_invoices, subscriptions, transactions
from inventory.service_layer.deps import AccessResolver, InventoryDeps

Context: TypeAlias = grpc.aio.ServicerContext


class SubscriptionServicer(subscriptions_pb2_grpc.SubscriptionServiceServicer):
    def __init__(self, deps: InventoryDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    # ---- subscriptions ----

    async def CreateSubscription(
        self, request: pb.CreateSubscriptionRequest, context: Context
    ) -> pb.Subscription:
        cmd = mappers.create_subscription_cmd(request)
        row = await subscriptions.create_subscription(cmd, await self._ctx(), self._deps)
        return mappers.subscription_to_pb(row)

    async def GetSubscription(
        self, request: pb.GetSubscriptionRequest, context: Context
    ) -> pb.Subscription:
        record_id = parse_uuid(request.id)
        row = await subscriptions.get_subscription(record_id, await self._ctx(), self._deps)
        return mappers.subscription_to_pb(row)

    async def ListSubscriptions(
        self, request: pb.ListSubscriptionsRequest, context: Context
    ) -> pb.ListSubscriptionsResponse:
        page = await subscriptions.list_subscriptions(
            await self._ctx(), self._deps, mappers.schedule_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListSubscriptionsResponse(
            items=[mappers.subscription_to_pb(r) for r in page.items], page=page_to_pb(page)
        )

    async def UpdateSubscription(
        self, request: pb.UpdateSubscriptionRequest, context: Context
    ) -> pb.Subscription:
        cmd = mappers.update_subscription_cmd(request)
        row = await subscriptions.update_subscription(cmd, await self._ctx(), self._deps)
        return mappers.subscription_to_pb(row)

    async def CancelSubscription(
        self, request: pb.CancelSubscriptionRequest, context: Context
    ) -> pb.Subscription:
        cmd = mappers.cancel_cmd(request)
        row = await subscriptions.cancel_subscription(cmd, await self._ctx(), self._deps)
        return mappers.subscription_to_pb(row)

    # ---- recurring invoices ----

    async def CreateRecurringInvoice(
        self, request: pb.CreateRecurringInvoiceRequest, context: Context
    ) -> pb.RecurringInvoice:
        cmd = mappers.create_recurring_cmd(request)
        row = await recurring_invoices.create_recurring_invoice(cmd, await self._ctx(), self._deps)
        return mappers.recurring_to_pb(row)

    async def GetRecurringInvoice(
        self, request: pb.GetRecurringInvoiceRequest, context: Context
    ) -> pb.RecurringInvoice:
        record_id = parse_uuid(request.id)
        row = await recurring_invoices.get_recurring_invoice(
            record_id, await self._ctx(), self._deps
        )
        return mappers.recurring_to_pb(row)

    async def ListRecurringInvoices(
        self, request: pb.ListRecurringInvoicesRequest, context: Context
    ) -> pb.ListRecurringInvoicesResponse:
        page = await recurring_invoices.list_recurring_invoices(
            await self._ctx(), self._deps, mappers.schedule_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListRecurringInvoicesResponse(
            items=[mappers.recurring_to_pb(r) for r in page.items], page=page_to_pb(page)
        )

    async def UpdateRecurringInvoice(
        self, request: pb.UpdateRecurringInvoiceRequest, context: Context
    ) -> pb.RecurringInvoice:
        cmd = mappers.update_recurring_cmd(request)
        row = await recurring_invoices.update_recurring_invoice(cmd, await self._ctx(), self._deps)
        return mappers.recurring_to_pb(row)

    # ---- transactions ----

    async def ListTransactions(
        self, request: pb.ListTransactionsRequest, context: Context
    ) -> pb.ListTransactionsResponse:
        page = await transactions.list_transactions(
            await self._ctx(), self._deps, mappers.transaction_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListTransactionsResponse(
            items=[mappers.transaction_to_pb(t) for t in page.items], page=page_to_pb(page)
        )
