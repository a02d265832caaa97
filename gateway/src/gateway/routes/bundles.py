"""``/bundles``: products of type bundle with their components. The product
endpoints of the inventory service (same RPCs, schemas and access, module
products), narrowed to bundles: a listing filters by type, a create sets it, and
a product that is not a bundle is not found here."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from gateway.deps import InventoryStub, RequireUser, UserIdempotency
from gateway.openapi import problem_responses
from gateway.problem import ProblemError
from gateway.routes import products
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.bundles import BundleCreate
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.products import ProductCreate, ProductPage, ProductRead

router = APIRouter(prefix="/bundles", tags=["products"], dependencies=[RequireUser])

BundleId = Annotated[UUID, Path(alias="id", description="The bundle's id (UUID)")]
BUNDLE = "bundle"


@router.get("", responses=problem_responses(401, 403, 422), summary="Bundles")
async def list_bundles(
    inventory: InventoryStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="In sku and name")] = None,
    active: bool | None = None,
) -> ProductPage:
    return await products.list_products(
        inventory, limit=limit, cursor=cursor, q=q, type=BUNDLE, active=active
    )


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Create a bundle of products of your tenant (no cycles; 409 when the sku is taken)",
)
async def create_bundle(
    body: BundleCreate, inventory: InventoryStub, response: Response
) -> ProductRead:
    product = ProductCreate(**body.model_dump(), type=BUNDLE)
    bundle = await products.create_product(product, inventory, response)
    response.headers["Location"] = f"{API_PREFIX}/bundles/{bundle.id}"
    return bundle


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One bundle")
async def get_bundle(
    bundle_id: BundleId, inventory: InventoryStub, response: Response
) -> ProductRead:
    bundle = await products.get_product(bundle_id, inventory, response)
    if bundle.type != BUNDLE:
        raise ProblemError(404, "bundle not found")
    return bundle
