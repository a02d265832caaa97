"""Service contracts (the support service decides access, module
service_contracts); this router only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.support.v1 import field_service_pb2 as pb
from gateway import mappers_field_service as mappers
from gateway.deps import FieldServiceDep, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.field_service import (
    ContractCreate,
    ContractPage,
    ContractRead,
    ContractUpdate,
)

router = APIRouter(prefix="/service-contracts", tags=["field service"], dependencies=[RequireUser])

ContractId = Annotated[UUID, Path(alias="id", description="The service contract's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
StatusFilter = Literal["draft", "active", "expired", "cancelled"]


def _with_etag(response: Response, contract: ContractRead) -> ContractRead:
    response.headers["ETag"] = etag(contract.version)
    return contract


@router.get("", responses=problem_responses(401, 403, 422), summary="Service contracts")
async def list_service_contracts(
    field: FieldServiceDep,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    account_id: UUID | None = None,
    status: Annotated[StatusFilter | None, Query(description="expired: active, past end")] = None,
    owner_id: UUID | None = None,
) -> ContractPage:
    request = mappers.list_contracts_request(
        limit, cursor, account_id=account_id, status=status, owner_id=owner_id
    )
    return mappers.contract_page(await field.ListServiceContracts(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Add a service contract",
)
async def create_service_contract(
    body: ContractCreate, field: FieldServiceDep, response: Response
) -> ContractRead:
    made = await field.CreateServiceContract(mappers.create_contract_request(body))
    contract = mappers.contract_read(made)
    response.headers["Location"] = f"{API_PREFIX}/service-contracts/{contract.id}"
    return _with_etag(response, contract)


@router.get(
    "/{id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="One service contract with its consumption",
)
async def get_service_contract(
    contract_id: ContractId, field: FieldServiceDep, response: Response
) -> ContractRead:
    found = await field.GetServiceContract(pb.GetServiceContractRequest(id=str(contract_id)))
    return _with_etag(response, mappers.contract_read(found))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body",
)
async def update_service_contract(
    contract_id: ContractId,
    body: ContractUpdate,
    field: FieldServiceDep,
    response: Response,
    if_match: IfMatch = None,
) -> ContractRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_contract_request(str(contract_id), body, version)
    return _with_etag(response, mappers.contract_read(await field.UpdateServiceContract(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Move the service contract to the recycle bin",
)
async def delete_service_contract(
    contract_id: ContractId, field: FieldServiceDep, if_match: IfMatch = None
) -> Response:
    version = expected_version(if_match, None)
    request = pb.DeleteFieldRecordRequest(id=str(contract_id), expected_version=version)
    await field.DeleteServiceContract(request)
    return Response(status_code=204)
