"""Warehouses (the inventory service decides access, module stock; changes are
for administrators); this router only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.inventory.v1 import stock_pb2 as pb
from gateway import mappers_stock as mappers
from gateway.deps import RequireUser, StockStub, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.stock import WarehouseCreate, WarehousePage, WarehouseRead, WarehouseUpdate

router = APIRouter(prefix="/warehouses", tags=["stock"], dependencies=[RequireUser])

WarehouseId = Annotated[UUID, Path(alias="id", description="The warehouse's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, warehouse: WarehouseRead) -> WarehouseRead:
    response.headers["ETag"] = etag(warehouse.version)
    return warehouse


@router.get("", responses=problem_responses(401, 403, 422), summary="Warehouses")
async def list_warehouses(
    stock: StockStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    active: bool | None = None,
) -> WarehousePage:
    request = mappers.list_warehouses_request(limit, cursor, active)
    return mappers.warehouse_page(await stock.ListWarehouses(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Add a warehouse (administrators)",
)
async def create_warehouse(
    body: WarehouseCreate, stock: StockStub, response: Response
) -> WarehouseRead:
    created = await stock.CreateWarehouse(mappers.create_warehouse_request(body))
    warehouse = mappers.warehouse_read(created)
    response.headers["Location"] = f"{API_PREFIX}/warehouses/{warehouse.id}"
    return _with_etag(response, warehouse)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One warehouse")
async def get_warehouse(
    warehouse_id: WarehouseId, stock: StockStub, response: Response
) -> WarehouseRead:
    warehouse = await stock.GetWarehouse(pb.GetWarehouseRequest(id=str(warehouse_id)))
    return _with_etag(response, mappers.warehouse_read(warehouse))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (administrators)",
)
async def update_warehouse(
    warehouse_id: WarehouseId,
    body: WarehouseUpdate,
    stock: StockStub,
    response: Response,
    if_match: IfMatch = None,
) -> WarehouseRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_warehouse_request(str(warehouse_id), body, version)
    return _with_etag(response, mappers.warehouse_read(await stock.UpdateWarehouse(request)))
