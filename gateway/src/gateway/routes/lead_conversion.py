"""Lead conversion (the sales service does it in one transaction)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path

from crm.sales.v1 import sales_pb2 as pb
from gateway.deps import RequireUser, SalesStub, UserIdempotency
from gateway.etags import expected_version
from gateway.openapi import problem_responses
from gateway.schemas.lead_conversion import LeadConversion, LeadConvert

router = APIRouter(prefix="/leads", tags=["leads"], dependencies=[RequireUser])

LeadId = Annotated[UUID, Path(alias="id", description="The lead's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


@router.post(
    "/{id}/convert",
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Convert a lead into an account, a contact and optionally a deal (409 if converted)",
)
async def convert_lead(
    lead_id: LeadId, body: LeadConvert, sales: SalesStub, if_match: IfMatch = None
) -> LeadConversion:
    request = pb.ConvertLeadRequest(
        id=str(lead_id),
        account_id=body.account_id or "",
        create_deal=body.create_deal,
        deal_name=body.deal_name or "",
        amount=body.amount or "",
        currency=body.currency or "",
        pipeline_id=body.pipeline_id or "",
        expected_version=expected_version(if_match, body.version),
    )
    done = await sales.ConvertLead(request)
    return LeadConversion(
        account_id=done.account_id,
        contact_id=done.contact_id,
        deal_id=done.deal_id or None,
        account_created=done.account_created,
    )
