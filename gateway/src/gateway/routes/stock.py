"""Stock levels, the movement ledger and adjustments (module stock); this router
only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from crm.inventory.v1 import stock_pb2 as pb
from gateway import mappers_stock as mappers
from gateway.deps import RequireUser, StockStub, UserIdempotency
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.stock import AdjustmentCreate, MovementPage, StockLevelPage, StockLevelRead

router = APIRouter(prefix="/stock", tags=["stock"], dependencies=[RequireUser])

Limit = Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)]
IdFilter = Annotated[str | None, Query(max_length=40, description="A UUID")]


@router.get(
    "",
    responses=problem_responses(401, 403, 404, 422),
    summary="Stock levels (a bundle's product_id: its level derived from its components)",
)
async def list_levels(
    stock: StockStub,
    *,
    product_id: IdFilter = None,
    warehouse_id: IdFilter = None,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> StockLevelPage:
    request = pb.ListStockLevelsRequest(
        page=page_request(limit, cursor), product_id=product_id or "",
        warehouse_id=warehouse_id or "",
    )  # fmt: skip
    return mappers.level_page(await stock.ListStockLevels(request))


@router.get(
    "/movements", responses=problem_responses(401, 403, 422), summary="The ledger, newest first"
)
async def list_movements(
    stock: StockStub,
    *,
    product_id: IdFilter = None,
    warehouse_id: IdFilter = None,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> MovementPage:
    request = pb.ListStockMovementsRequest(
        page=page_request(limit, cursor), product_id=product_id or "",
        warehouse_id=warehouse_id or "",
    )  # fmt: skip
    return mappers.movement_page(await stock.ListStockMovements(request))


@router.post(
    "/adjustments",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Adjust units on hand (never below what is reserved: 409)",
)
async def adjust_stock(body: AdjustmentCreate, stock: StockStub) -> StockLevelRead:
    return mappers.level_read(await stock.AdjustStock(mappers.adjust_request(body)))
