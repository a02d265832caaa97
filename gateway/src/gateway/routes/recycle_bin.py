"""The recycle bin of sales records (the sales service decides access: listing
and restoring need ``<module>:delete`` and cover only records the caller could
edit). Restore answers the record; 409 once the 30-day retention has passed or
while a contact's account is itself deleted."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from crm.sales.v1 import activities_pb2
from crm.sales.v1 import sales_pb2 as pb
from crm_common.wire import time_field
from gateway import mappers_accounts, mappers_activities, mappers_leads
from gateway.deps import ActivityStub, RequireUser, SalesStub
from gateway.etags import etag
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.schemas.accounts import AccountRead, ContactRead
from gateway.schemas.activities import ActivityRead
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.leads import LeadRead
from gateway.schemas.recycle_bin import BinModule, RecycleBinItem, RecycleBinPage

router = APIRouter(tags=["recycle bin"], dependencies=[RequireUser])

RecordId = Annotated[UUID, Path(alias="id", description="The deleted record's id (UUID)")]
RESTORE_RESPONSES = problem_responses(401, 403, 404, 409, 422)


def _item(item: pb.RecycleBinItem) -> RecycleBinItem:
    return RecycleBinItem(
        id=UUID(item.id),
        module=item.module,  # type: ignore[arg-type]  # the service answers one of BinModule
        name=item.name,
        deleted_at=time_field(item, "deleted_at"),  # type: ignore[arg-type]  # always set
        deleted_by=UUID(item.deleted_by) if item.deleted_by else None,
    )


@router.get(
    "/recycle-bin",
    responses=problem_responses(401, 403, 422),
    summary="Deleted records of a module you could restore (needs <module>:delete)",
)
async def list_recycle_bin(
    sales: SalesStub,
    module: BinModule,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> RecycleBinPage:
    request = pb.ListRecycleBinRequest(page=page_request(limit, cursor), module=module)
    response = await sales.ListRecycleBin(request)
    return RecycleBinPage(
        items=[_item(item) for item in response.items],
        next_cursor=response.page.next_cursor or None,
    )


@router.post("/leads/{id}/restore", responses=RESTORE_RESPONSES, summary="Restore a deleted lead")
async def restore_lead(record_id: RecordId, sales: SalesStub, response: Response) -> LeadRead:
    lead = mappers_leads.lead_read(
        await sales.RestoreLead(pb.RestoreRecordRequest(id=str(record_id)))
    )
    response.headers["ETag"] = etag(lead.version)
    return lead


@router.post(
    "/accounts/{id}/restore",
    responses=RESTORE_RESPONSES,
    summary="Restore a deleted account (409 while its parent account is deleted)",
)
async def restore_account(record_id: RecordId, sales: SalesStub, response: Response) -> AccountRead:
    request = pb.RestoreRecordRequest(id=str(record_id))
    account = mappers_accounts.account_read(await sales.RestoreAccount(request))
    response.headers["ETag"] = etag(account.version)
    return account


@router.post(
    "/contacts/{id}/restore",
    responses=RESTORE_RESPONSES,
    summary="Restore a deleted contact (409 while its account is deleted)",
)
async def restore_contact(record_id: RecordId, sales: SalesStub, response: Response) -> ContactRead:
    request = pb.RestoreRecordRequest(id=str(record_id))
    contact = mappers_accounts.contact_read(await sales.RestoreContact(request))
    response.headers["ETag"] = etag(contact.version)
    return contact


@router.post(
    "/activities/{id}/restore",
    responses=RESTORE_RESPONSES,
    summary="Restore a deleted activity (409 while the record it relates to is deleted)",
)
async def restore_activity(
    record_id: RecordId, activities: ActivityStub, response: Response
) -> ActivityRead:
    request = activities_pb2.RestoreActivityRequest(id=str(record_id))
    activity = mappers_activities.activity_read(await activities.RestoreActivity(request))
    response.headers["ETag"] = etag(activity.version)
    return activity
