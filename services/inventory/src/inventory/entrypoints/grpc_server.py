"""InventoryService servicer: parse, resolve the caller's access, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.inventory.v1 import inventory_pb2 as pb
from crm.inventory.v1 import inventory_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from inventory import mappers
from inventory import mappers_price_books as books_map
from inventory.service_layer import price_books, products, quotes, tax_rates
from inventory.service_layer.deps import AccessResolver, InventoryDeps

Context: TypeAlias = grpc.aio.ServicerContext


class InventoryServicer(inventory_pb2_grpc.InventoryServiceServicer):
    def __init__(self, deps: InventoryDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    # ---- products ----

    async def CreateProduct(self, request: pb.CreateProductRequest, context: Context) -> pb.Product:
        cmd = mappers.create_product_cmd(request)
        product = await products.create_product(cmd, await self._ctx(), self._deps)
        return mappers.product_to_pb(product)

    async def GetProduct(self, request: pb.GetProductRequest, context: Context) -> pb.Product:
        product = await products.get_product(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.product_to_pb(product)

    async def ListProducts(
        self, request: pb.ListProductsRequest, context: Context
    ) -> pb.ListProductsResponse:
        page = await products.list_products(
            await self._ctx(),
            self._deps,
            mappers.product_filters(request),
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListProductsResponse(
            items=[mappers.product_to_pb(p) for p in page.items], page=mappers.page_to_pb(page)
        )

    async def UpdateProduct(self, request: pb.UpdateProductRequest, context: Context) -> pb.Product:
        cmd = mappers.update_product_cmd(request)
        product = await products.update_product(cmd, await self._ctx(), self._deps)
        return mappers.product_to_pb(product)

    # ---- price books ----

    async def CreatePriceBook(
        self, request: pb.CreatePriceBookRequest, context: Context
    ) -> pb.PriceBook:
        cmd = books_map.create_price_book_cmd(request)
        book = await price_books.create_price_book(cmd, await self._ctx(), self._deps)
        return books_map.price_book_to_pb(book)

    async def GetPriceBook(self, request: pb.GetPriceBookRequest, context: Context) -> pb.PriceBook:
        book = await price_books.get_price_book(
            parse_uuid(request.id), await self._ctx(), self._deps
        )
        return books_map.price_book_to_pb(book)

    async def ListPriceBooks(
        self, request: pb.ListPriceBooksRequest, context: Context
    ) -> pb.ListPriceBooksResponse:
        page = await price_books.list_price_books(
            await self._ctx(),
            self._deps,
            books_map.price_book_filters(request),
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListPriceBooksResponse(
            items=[books_map.price_book_to_pb(b) for b in page.items],
            page=mappers.page_to_pb(page),
        )

    async def UpdatePriceBook(
        self, request: pb.UpdatePriceBookRequest, context: Context
    ) -> pb.PriceBook:
        cmd = books_map.update_price_book_cmd(request)
        book = await price_books.update_price_book(cmd, await self._ctx(), self._deps)
        return books_map.price_book_to_pb(book)

    # ---- tax rates ----

    async def CreateTaxRate(self, request: pb.CreateTaxRateRequest, context: Context) -> pb.TaxRate:
        cmd = books_map.create_tax_rate_cmd(request)
        rate = await tax_rates.create_tax_rate(cmd, await self._ctx(), self._deps)
        return books_map.tax_rate_to_pb(rate)

    async def ListTaxRates(
        self, request: pb.ListTaxRatesRequest, context: Context
    ) -> pb.ListTaxRatesResponse:
        page = await tax_rates.list_tax_rates(
            await self._ctx(),
            self._deps,
            books_map.tax_rate_filters(request),
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListTaxRatesResponse(
            items=[books_map.tax_rate_to_pb(r) for r in page.items],
            page=mappers.page_to_pb(page),
        )

    async def DeleteTaxRate(
        self, request: pb.DeleteTaxRateRequest, context: Context
    ) -> pb.DeleteTaxRateResponse:
        await tax_rates.delete_tax_rate(parse_uuid(request.id), await self._ctx(), self._deps)
        return pb.DeleteTaxRateResponse()

    # ---- prices ----

    async def PriceQuote(
        self, request: pb.PriceQuoteRequest, context: Context
    ) -> pb.PriceQuoteResponse:
        cmd = books_map.quote_cmd(request)
        return books_map.quote_to_pb(await quotes.price_quote(cmd, await self._ctx(), self._deps))
