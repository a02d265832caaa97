"""Tax rates by tax class and region (the inventory service). Reading needs
products:view; creating and deleting is for administrators."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from crm.inventory.v1 import inventory_pb2 as pb
from gateway import mappers_price_books as mappers
from gateway.deps import InventoryStub, RequireUser, UserIdempotency
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.price_books import TaxRateCreate, TaxRatePage, TaxRateRead

router = APIRouter(prefix="/tax-rates", tags=["tax rates"], dependencies=[RequireUser])

TaxRateId = Annotated[UUID, Path(alias="id", description="The tax rate's id (UUID)")]


@router.get("", responses=problem_responses(401, 403, 422), summary="Tax rates")
async def list_tax_rates(
    inventory: InventoryStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    tax_class: Annotated[str | None, Query(max_length=50)] = None,
    region: Annotated[str | None, Query(max_length=10)] = None,
) -> TaxRatePage:
    request = mappers.list_tax_rates_request(limit, cursor, tax_class=tax_class, region=region)
    return mappers.tax_rate_page(await inventory.ListTaxRates(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Add a tax rate (administrators)",
)
async def create_tax_rate(
    body: TaxRateCreate, inventory: InventoryStub, response: Response
) -> TaxRateRead:
    rate = mappers.tax_rate_read(
        await inventory.CreateTaxRate(mappers.create_tax_rate_request(body))
    )
    response.headers["Location"] = f"{API_PREFIX}/tax-rates/{rate.id}"
    return rate


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 422),
    summary="Remove a tax rate (administrators); quotes priced before keep their taxes",
)
async def delete_tax_rate(rate_id: TaxRateId, inventory: InventoryStub) -> Response:
    await inventory.DeleteTaxRate(pb.DeleteTaxRateRequest(id=str(rate_id)))
    return Response(status_code=204)
