"""Inventory as sales sees it: PriceQuote for one line, with the caller's principal
(the client interceptor forwards it, so inventory applies the caller's access).
PriceQuote is read-only, so the channel may retry it on UNAVAILABLE."""

from __future__ import annotations

import uuid
from decimal import Decimal

import grpc

from crm.inventory.v1 import inventory_pb2 as pb
from crm.inventory.v1 import inventory_pb2_grpc
from crm_common import errors
from crm_common.grpc.client import create_channel
from crm_common.grpc.errors import read_failure
from crm_common.pricing import LineTotals, TaxLine
from sales.domain.quotes import LineSpec, PricedLine, PriceRequest

INVENTORY_SERVICE = "crm.inventory.v1.InventoryService"
PRICE_DEADLINE_SECONDS = 3.0

_UNAVAILABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def inventory_channel(addr: str, internal_secret: str) -> grpc.aio.Channel:
    return create_channel(
        addr,
        service=INVENTORY_SERVICE,
        internal_secret=internal_secret,
        idempotent_methods=["PriceQuote"],
        default_deadline=PRICE_DEADLINE_SECONDS,
    )


class InventoryPrices:
    """The ``PriceSource`` of quotes, over gRPC."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = inventory_pb2_grpc.InventoryServiceStub(channel)

    async def price(self, request: PriceRequest) -> PricedLine:
        message = pb.PriceQuoteRequest(
            product_id=str(request.product_id),
            quantity=str(request.quantity),
            currency=request.currency,
            price_book_id=str(request.price_book_id or ""),
            date=request.on.isoformat(),
            region=request.region,
            discount_percent=str(request.discount_percent),
        )
        try:
            answer = await self._stub.PriceQuote(message)
        except grpc.aio.AioRpcError as exc:
            raise as_crm_error(exc) from exc
        spec = LineSpec(request.product_id, request.quantity, request.discount_percent)
        return PricedLine(spec, totals_of(answer), _uuid_or_none(answer.price_book_id))


_SIMPLE: dict[grpc.StatusCode, type[errors.CrmError]] = {
    grpc.StatusCode.NOT_FOUND: errors.NotFound,
    grpc.StatusCode.FAILED_PRECONDITION: errors.FailedPrecondition,
    grpc.StatusCode.UNAUTHENTICATED: errors.Unauthenticated,
}


def as_crm_error(exc: grpc.RpcError) -> errors.CrmError:
    """Inventory's status as the domain error the quote handlers map to fields."""
    failure = read_failure(exc)
    if failure.code in _UNAVAILABLE:
        return errors.Unavailable("inventory is unavailable; nothing was changed, try again")
    if failure.code in _SIMPLE:
        return _SIMPLE[failure.code](failure.message)
    if failure.code == grpc.StatusCode.INVALID_ARGUMENT:
        return errors.InvalidArgument(failure.message, failure.violations)
    if failure.code == grpc.StatusCode.PERMISSION_DENIED:
        return errors.PermissionDenied(f"inventory: {failure.message}")
    return errors.Unavailable(f"inventory failed ({failure.code.name}); nothing was changed")


def totals_of(answer: pb.PriceQuoteResponse) -> LineTotals:
    taxes = tuple(
        TaxLine(t.name, Decimal(t.rate), Decimal(t.amount), t.inclusive, t.compound)
        for t in answer.taxes
    )
    return LineTotals(
        currency=answer.currency,
        list_price=Decimal(answer.list_price),
        unit_price=Decimal(answer.unit_price),
        quantity=Decimal(answer.quantity),
        discount_percent=Decimal(answer.discount_percent or "0"),
        subtotal=Decimal(answer.subtotal),
        discount=Decimal(answer.discount_amount),
        net=Decimal(answer.net_amount),
        taxes=taxes,
        tax_total=Decimal(answer.tax_total),
        gross=Decimal(answer.gross_total),
    )


def _uuid_or_none(value: str) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None
