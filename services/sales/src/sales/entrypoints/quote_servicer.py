"""QuoteService servicer: parse, resolve the caller's access, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.sales.v1 import quotes_pb2 as pb
from crm.sales.v1 import quotes_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from sales import mappers_quotes as mappers
from sales.mappers import page_to_pb
from sales.service_layer import (
    orders,
    quote_approval,
    quote_lines,
    quote_status,
    quotes,
)
from sales.service_layer.deps import AccessResolver, SalesDeps

Context: TypeAlias = grpc.aio.ServicerContext
Action: TypeAlias = pb.QuoteActionRequest


class QuoteServicer(quotes_pb2_grpc.QuoteServiceServicer):
    def __init__(self, deps: SalesDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    # ---- quotes ----

    async def CreateQuote(self, request: pb.CreateQuoteRequest, context: Context) -> pb.Quote:
        cmd = mappers.create_quote_cmd(request)
        return mappers.quote_to_pb(await quotes.create_quote(cmd, await self._ctx(), self._deps))

    async def GetQuote(self, request: pb.GetQuoteRequest, context: Context) -> pb.Quote:
        quote = await quotes.get_quote(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.quote_to_pb(quote)

    async def ListQuotes(
        self, request: pb.ListQuotesRequest, context: Context
    ) -> pb.ListQuotesResponse:
        page = await quotes.list_quotes(
            await self._ctx(), self._deps, mappers.quote_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.quote_to_pb(q) for q in page.items]
        return pb.ListQuotesResponse(items=items, page=page_to_pb(page))

    async def UpdateQuote(self, request: pb.UpdateQuoteRequest, context: Context) -> pb.Quote:
        cmd = mappers.update_quote_cmd(request)
        return mappers.quote_to_pb(await quotes.update_quote(cmd, await self._ctx(), self._deps))

    async def ReplaceQuoteLines(
        self, request: pb.ReplaceQuoteLinesRequest, context: Context
    ) -> pb.Quote:
        cmd = mappers.replace_lines_cmd(request)
        quote = await quote_lines.replace_lines(cmd, await self._ctx(), self._deps)
        return mappers.quote_to_pb(quote)

    async def RepriceQuote(self, request: Action, context: Context) -> pb.Quote:
        cmd = mappers.quote_action(request)
        quote = await quote_lines.reprice_quote(cmd, await self._ctx(), self._deps)
        return mappers.quote_to_pb(quote)

    async def RequestQuoteApproval(self, request: Action, context: Context) -> pb.Quote:
        cmd = mappers.quote_action(request)
        quote = await quote_approval.request_approval(cmd, await self._ctx(), self._deps)
        return mappers.quote_to_pb(quote)

    async def ApproveQuote(self, request: Action, context: Context) -> pb.Quote:
        cmd = mappers.quote_action(request)
        quote = await quote_approval.approve(cmd, await self._ctx(), self._deps)
        return mappers.quote_to_pb(quote)

    async def RejectQuoteApproval(self, request: Action, context: Context) -> pb.Quote:
        cmd = mappers.quote_action(request)
        quote = await quote_approval.reject_approval(cmd, await self._ctx(), self._deps)
        return mappers.quote_to_pb(quote)

    async def SendQuote(self, request: Action, context: Context) -> pb.Quote:
        cmd = mappers.quote_action(request)
        quote = await quote_status.send_quote(cmd, await self._ctx(), self._deps)
        return mappers.quote_to_pb(quote)

    async def AcceptQuote(self, request: Action, context: Context) -> pb.AcceptQuoteResponse:
        cmd = mappers.quote_action(request)
        accepted = await quote_status.accept_quote(cmd, await self._ctx(), self._deps)
        return pb.AcceptQuoteResponse(
            quote=mappers.quote_to_pb(accepted.quote), order=mappers.order_to_pb(accepted.order)
        )

    async def RejectQuote(self, request: Action, context: Context) -> pb.Quote:
        cmd = mappers.quote_action(request)
        quote = await quote_status.reject_quote(cmd, await self._ctx(), self._deps)
        return mappers.quote_to_pb(quote)

    # ---- sales orders ----

    async def GetSalesOrder(
        self, request: pb.GetSalesOrderRequest, context: Context
    ) -> pb.SalesOrder:
        order = await orders.get_order(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.order_to_pb(order)

    async def ListSalesOrders(
        self, request: pb.ListSalesOrdersRequest, context: Context
    ) -> pb.ListSalesOrdersResponse:
        page = await orders.list_orders(
            await self._ctx(), self._deps, mappers.order_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.order_to_pb(o) for o in page.items]
        return pb.ListSalesOrdersResponse(items=items, page=page_to_pb(page))

    async def ConfirmSalesOrder(
        self, request: pb.OrderActionRequest, context: Context
    ) -> pb.SalesOrder:
        cmd = mappers.order_action(request)
        return mappers.order_to_pb(await orders.confirm_order(cmd, await self._ctx(), self._deps))

    async def CancelSalesOrder(
        self, request: pb.OrderActionRequest, context: Context
    ) -> pb.SalesOrder:
        cmd = mappers.order_action(request)
        return mappers.order_to_pb(await orders.cancel_order(cmd, await self._ctx(), self._deps))
