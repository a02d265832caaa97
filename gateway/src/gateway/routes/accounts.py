"""Accounts (the sales service): the owning service decides access; this router
only parses, calls and maps."""

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
from gateway.schemas.accounts import AccountCreate, AccountPage, AccountRead, AccountUpdate
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(prefix="/accounts", tags=["accounts"], dependencies=[RequireUser])

AccountId = Annotated[UUID, Path(alias="id", description="The account's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, account: AccountRead) -> AccountRead:
    response.headers["ETag"] = etag(account.version)
    return account


@router.get("", responses=problem_responses(401, 403, 422), summary="Accounts you may see")
async def list_accounts(
    sales: SalesStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="In name and website")] = None,
    owner_id: UUID | None = None,
    parent_id: Annotated[UUID | None, Query(description="Direct sub-accounts of")] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
) -> AccountPage:
    request = mappers.list_accounts_request(
        limit,
        cursor,
        q=q,
        owner_id=str(owner_id) if owner_id else None,
        parent_id=str(parent_id) if parent_id else None,
        tag=tag,
    )
    return mappers.account_page(await sales.ListAccounts(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Create an account (optionally under a parent account you may see)",
)
async def create_account(body: AccountCreate, sales: SalesStub, response: Response) -> AccountRead:
    account = mappers.account_read(await sales.CreateAccount(mappers.create_account_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/accounts/{account.id}"
    return _with_etag(response, account)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One account")
async def get_account(account_id: AccountId, sales: SalesStub, response: Response) -> AccountRead:
    account = await sales.GetAccount(pb.GetAccountRequest(id=str(account_id)))
    return _with_etag(response, mappers.account_read(account))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (a cycle in the hierarchy: 422 parent_id)",
)
async def update_account(
    account_id: AccountId,
    body: AccountUpdate,
    sales: SalesStub,
    response: Response,
    if_match: IfMatch = None,
) -> AccountRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_account_request(str(account_id), body, version)
    return _with_etag(response, mappers.account_read(await sales.UpdateAccount(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Move the account to the recycle bin (409 while it has contacts or sub-accounts)",
)
async def delete_account(
    account_id: AccountId, sales: SalesStub, if_match: IfMatch = None
) -> Response:
    version = expected_version(if_match, None)
    await sales.DeleteAccount(pb.DeleteAccountRequest(id=str(account_id), expected_version=version))
    return Response(status_code=204)
