"""Vendors (the inventory service decides access, module vendors); this router
only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.inventory.v1 import purchasing_pb2 as pb
from gateway import mappers_purchasing as mappers
from gateway.deps import PurchasingStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.purchasing import VendorCreate, VendorPage, VendorRead, VendorUpdate

router = APIRouter(prefix="/vendors", tags=["vendors"], dependencies=[RequireUser])

VendorId = Annotated[UUID, Path(alias="id", description="The vendor's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, vendor: VendorRead) -> VendorRead:
    response.headers["ETag"] = etag(vendor.version)
    return vendor


@router.get("", responses=problem_responses(401, 403, 422), summary="Vendors")
async def list_vendors(
    purchasing: PurchasingStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="In name and e-mail")] = None,
    active: bool | None = None,
) -> VendorPage:
    request = mappers.list_vendors_request(limit, cursor, q=q, active=active)
    return mappers.vendor_page(await purchasing.ListVendors(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Add a vendor",
)
async def create_vendor(
    body: VendorCreate, purchasing: PurchasingStub, response: Response
) -> VendorRead:
    vendor = mappers.vendor_read(await purchasing.CreateVendor(mappers.create_vendor_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/vendors/{vendor.id}"
    return _with_etag(response, vendor)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One vendor")
async def get_vendor(
    vendor_id: VendorId, purchasing: PurchasingStub, response: Response
) -> VendorRead:
    vendor = await purchasing.GetVendor(pb.GetVendorRequest(id=str(vendor_id)))
    return _with_etag(response, mappers.vendor_read(vendor))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body",
)
async def update_vendor(
    vendor_id: VendorId,
    body: VendorUpdate,
    purchasing: PurchasingStub,
    response: Response,
    if_match: IfMatch = None,
) -> VendorRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_vendor_request(str(vendor_id), body, version)
    return _with_etag(response, mappers.vendor_read(await purchasing.UpdateVendor(request)))
