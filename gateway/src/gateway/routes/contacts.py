"""Contacts (the sales service): each belongs to an account the caller may see."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.sales.v1 import sales_pb2 as pb
from gateway import mappers_accounts as mappers
from gateway.deps import RequireUser, SalesStub, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.accounts import ContactCreate, ContactPage, ContactRead, ContactUpdate
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(prefix="/contacts", tags=["contacts"], dependencies=[RequireUser])

ContactId = Annotated[UUID, Path(alias="id", description="The contact's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, contact: ContactRead) -> ContactRead:
    response.headers["ETag"] = etag(contact.version)
    return contact


@router.get("", responses=problem_responses(401, 403, 422), summary="Contacts you may see")
async def list_contacts(
    sales: SalesStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    account_id: UUID | None = None,
    q: Annotated[str | None, Query(max_length=200, description="In names and e-mail")] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
) -> ContactPage:
    account = str(account_id) if account_id else None
    request = mappers.list_contacts_request(limit, cursor, account_id=account, q=q, tag=tag)
    return mappers.contact_page(await sales.ListContacts(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Create a contact of an account you may see (422 account_id if there is none)",
)
async def create_contact(body: ContactCreate, sales: SalesStub, response: Response) -> ContactRead:
    contact = mappers.contact_read(await sales.CreateContact(mappers.create_contact_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/contacts/{contact.id}"
    return _with_etag(response, contact)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One contact")
async def get_contact(contact_id: ContactId, sales: SalesStub, response: Response) -> ContactRead:
    contact = await sales.GetContact(pb.GetContactRequest(id=str(contact_id)))
    return _with_etag(response, mappers.contact_read(contact))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (If-Match or version: optimistic check)",
)
async def update_contact(
    contact_id: ContactId,
    body: ContactUpdate,
    sales: SalesStub,
    response: Response,
    if_match: IfMatch = None,
) -> ContactRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_contact_request(str(contact_id), body, version)
    return _with_etag(response, mappers.contact_read(await sales.UpdateContact(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Move the contact to the recycle bin (restorable for 30 days)",
)
async def delete_contact(
    contact_id: ContactId, sales: SalesStub, if_match: IfMatch = None
) -> Response:
    version = expected_version(if_match, None)
    await sales.DeleteContact(pb.DeleteContactRequest(id=str(contact_id), expected_version=version))
    return Response(status_code=204)
