"""Leads (the sales service): the owning service decides access; this router only
parses, calls and maps."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from crm.sales.v1 import sales_pb2 as pb
from gateway import lead_csv
from gateway import mappers_leads as mappers
from gateway.deps import RequireUser, SalesStub, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.lead_query import LeadQueryDep
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.lead_csv import LeadImportResult
from gateway.schemas.leads import (
    LeadCreate,
    LeadCreated,
    LeadPage,
    LeadRead,
    LeadStatusChange,
    LeadUpdate,
)

router = APIRouter(prefix="/leads", tags=["leads"], dependencies=[RequireUser])

LeadId = Annotated[UUID, Path(alias="id", description="The lead's id (UUID)")]
CSV_TIMEOUT_SECONDS = 120.0  # a whole tenant's leads; the default deadline is for one answer
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, lead: LeadRead) -> LeadRead:
    response.headers["ETag"] = etag(lead.version)
    return lead


@router.get("", responses=problem_responses(401, 403, 422), summary="Leads you may see")
async def list_leads(
    sales: SalesStub,
    query: LeadQueryDep,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> LeadPage:
    request = pb.ListLeadsRequest(page=page_request(limit, cursor), **query.fields())
    return mappers.lead_page(await sales.ListLeads(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Create a lead (duplicates by e-mail or company are listed, or refused)",
)
async def create_lead(
    body: LeadCreate,
    sales: SalesStub,
    response: Response,
    on_duplicate: Annotated[
        Literal["warn", "reject"], Query(description="reject: 409 naming email or company")
    ] = "warn",
) -> LeadCreated:
    request = mappers.create_lead_request(body, reject_duplicates=on_duplicate == "reject")
    lead = mappers.lead_created(await sales.CreateLead(request))
    response.headers["Location"] = f"{API_PREFIX}/leads/{lead.id}"
    response.headers["ETag"] = etag(lead.version)
    return lead


@router.get(
    "/export",
    responses={
        200: {"content": {"text/csv": {}}, "description": "CSV, one line per lead"},
        **problem_responses(401, 403, 422),
    },
    response_class=StreamingResponse,
    summary="The leads you may see, as CSV (needs leads:export; hidden fields left out)",
)
async def export_leads(sales: SalesStub, query: LeadQueryDep) -> StreamingResponse:
    request = pb.ExportLeadsRequest(**query.fields())
    stream = sales.ExportLeads(request, timeout=CSV_TIMEOUT_SECONDS)
    first, rest = await lead_csv.first_and_rest(stream)
    return StreamingResponse(
        lead_csv.csv_chunks(first, rest),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="leads.csv"'},
    )


@router.post(
    "/import",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
    summary="Create leads from a CSV file, all or nothing (needs leads:import; 5000 rows)",
    description=(
        "Header row first (column names as in the export). Any bad row answers 422 naming "
        "each problem as `row N: column`, and no lead is created."
    ),
)
async def import_leads(request: Request, sales: SalesStub) -> LeadImportResult:
    body = await request.body()
    response = await sales.ImportLeads(pb.ImportLeadsRequest(csv=body), timeout=CSV_TIMEOUT_SECONDS)
    return LeadImportResult(created=len(response.ids), ids=list(response.ids))


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One lead")
async def get_lead(lead_id: LeadId, sales: SalesStub, response: Response) -> LeadRead:
    lead = await sales.GetLead(pb.GetLeadRequest(id=str(lead_id)))
    return _with_etag(response, mappers.lead_read(lead))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (If-Match or version: optimistic check)",
)
async def update_lead(
    lead_id: LeadId,
    body: LeadUpdate,
    sales: SalesStub,
    response: Response,
    if_match: IfMatch = None,
) -> LeadRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_lead_request(str(lead_id), body, version)
    return _with_etag(response, mappers.lead_read(await sales.UpdateLead(request)))


@router.post(
    "/{id}/status",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Move the lead along new -> contacted -> mql -> sql, or to lost (409 if illegal)",
)
async def change_lead_status(
    lead_id: LeadId,
    body: LeadStatusChange,
    sales: SalesStub,
    response: Response,
    if_match: IfMatch = None,
) -> LeadRead:
    version = expected_version(if_match, body.version)
    request = mappers.status_request(str(lead_id), body, version)
    return _with_etag(response, mappers.lead_read(await sales.ChangeLeadStatus(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Move the lead to the recycle bin (restorable for 30 days)",
)
async def delete_lead(lead_id: LeadId, sales: SalesStub, if_match: IfMatch = None) -> Response:
    version = expected_version(if_match, None)
    await sales.DeleteLead(pb.DeleteLeadRequest(id=str(lead_id), expected_version=version))
    return Response(status_code=204)
