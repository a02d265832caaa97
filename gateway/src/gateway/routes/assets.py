"""Assets: serial-numbered units delivered to accounts (module stock); this
router only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from crm.inventory.v1 import stock_pb2 as pb
from gateway import mappers_stock as mappers
from gateway.deps import RequireUser, StockStub
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.stock import AssetPage, AssetRead

router = APIRouter(prefix="/assets", tags=["stock"], dependencies=[RequireUser])

AssetId = Annotated[UUID, Path(alias="id", description="The asset's id (UUID)")]
IdFilter = Annotated[str | None, Query(max_length=40, description="A UUID")]


@router.get("", responses=problem_responses(401, 403, 422), summary="Assets")
async def list_assets(
    stock: StockStub,
    *,
    account_id: IdFilter = None,
    product_id: IdFilter = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> AssetPage:
    request = pb.ListAssetsRequest(
        page=page_request(limit, cursor), account_id=account_id or "", product_id=product_id or ""
    )
    return mappers.asset_page(await stock.ListAssets(request))


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One asset")
async def get_asset(asset_id: AssetId, stock: StockStub) -> AssetRead:
    return mappers.asset_read(await stock.GetAsset(pb.GetAssetRequest(id=str(asset_id))))
