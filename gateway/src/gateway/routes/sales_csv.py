"""Accounts, contacts and deals as CSV (the sales service decides access:
``<module>:export`` / ``<module>:import`` and field rules). Mounted before the
resources' own routers, so ``/accounts/export`` is not taken for an id."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from crm.sales.v1 import deals_pb2, sales_pb2
from gateway import csv_export, sales_csv
from gateway.deps import DealStub, RequireUser, SalesStub, UserIdempotency
from gateway.openapi import problem_responses
from gateway.schemas.deals import DealStatus
from gateway.schemas.sales_csv import CsvImportResult

router = APIRouter(tags=["csv"], dependencies=[RequireUser])

CSV_TIMEOUT_SECONDS = 120.0  # a whole tenant's records; the default deadline is for one answer
Text = Annotated[str | None, Query(max_length=200)]
Tag = Annotated[str | None, Query(max_length=50)]


def _export(what: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {"content": {"text/csv": {}}, "description": f"CSV, one line per {what}"},
            **problem_responses(401, 403, 422),
        },
        "response_class": StreamingResponse,
    }


def _import(module: str) -> dict[str, Any]:
    return {
        "status_code": 201,
        "dependencies": [UserIdempotency],
        "responses": problem_responses(401, 403, 409, 413, 422),
        "openapi_extra": {
            "requestBody": {
                "required": True,
                "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
        "description": (
            "Header row first (column names as in the export; `id`, `created_at` and other "
            "read-only columns are not taken). Any bad row answers 422 naming each problem as "
            f"`row N: column`, and no {module} is created. 5000 rows at most."
        ),
    }


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _created(ids: Any) -> CsvImportResult:
    return CsvImportResult(created=len(ids), ids=list(ids))


@router.get(
    "/accounts/export",
    summary="The accounts you may see, as CSV, with parent names (needs accounts:export)",
    **_export("account"),
)
async def export_accounts(
    sales: SalesStub, *, q: Text = None, owner_id: UUID | None = None,
    parent_id: UUID | None = None, tag: Tag = None,
) -> StreamingResponse:  # fmt: skip
    request = sales_pb2.ExportAccountsRequest(
        q=_text(q), owner_id=_text(owner_id), parent_id=_text(parent_id), tag=_text(tag)
    )
    stream = sales.ExportAccounts(request, timeout=CSV_TIMEOUT_SECONDS)
    return await csv_export.csv_response(
        stream, sales_csv.ACCOUNT_COLUMNS, "accounts.csv",
        to_row=sales_csv.account_row, hidden=sales_csv.hidden,
    )  # fmt: skip


@router.post(
    "/accounts/import",
    summary="Create accounts from CSV, parents by parent_external_id or parent_name",
    **_import("account"),
)
async def import_accounts(request: Request, sales: SalesStub) -> CsvImportResult:
    body = sales_pb2.ImportRecordsRequest(csv=await request.body())
    return _created((await sales.ImportAccounts(body, timeout=CSV_TIMEOUT_SECONDS)).ids)


@router.get(
    "/contacts/export",
    summary="The contacts you may see, as CSV, with account names (needs contacts:export)",
    **_export("contact"),
)
async def export_contacts(
    sales: SalesStub, *, account_id: UUID | None = None, q: Text = None, tag: Tag = None
) -> StreamingResponse:
    request = sales_pb2.ExportContactsRequest(
        account_id=_text(account_id), q=_text(q), tag=_text(tag)
    )
    stream = sales.ExportContacts(request, timeout=CSV_TIMEOUT_SECONDS)
    return await csv_export.csv_response(
        stream, sales_csv.CONTACT_COLUMNS, "contacts.csv",
        to_row=sales_csv.contact_row, hidden=sales_csv.hidden,
    )  # fmt: skip


@router.post(
    "/contacts/import",
    summary="Create contacts from CSV, accounts by account_external_id or account_name",
    **_import("contact"),
)
async def import_contacts(request: Request, sales: SalesStub) -> CsvImportResult:
    body = sales_pb2.ImportRecordsRequest(csv=await request.body())
    return _created((await sales.ImportContacts(body, timeout=CSV_TIMEOUT_SECONDS)).ids)


@router.get(
    "/deals/export",
    summary="The deals you may see, as CSV, with account, pipeline and stage names",
    **_export("deal"),
)
async def export_deals(
    deals: DealStub, *, pipeline_id: UUID | None = None, stage_id: UUID | None = None,
    status: DealStatus | None = None, owner_id: UUID | None = None,
    account_id: UUID | None = None, q: Text = None, close_date_from: date | None = None,
    close_date_to: date | None = None, tag: Tag = None,
) -> StreamingResponse:  # fmt: skip
    filters = {
        "pipeline_id": pipeline_id, "stage_id": stage_id, "status": status,
        "owner_id": owner_id, "account_id": account_id, "q": q,
        "close_date_from": close_date_from, "close_date_to": close_date_to, "tag": tag,
    }  # fmt: skip
    request = deals_pb2.ExportDealsRequest(**{k: _text(v) for k, v in filters.items()})
    stream = deals.ExportDeals(request, timeout=CSV_TIMEOUT_SECONDS)
    return await csv_export.csv_response(
        stream, sales_csv.DEAL_COLUMNS, "deals.csv",
        to_row=sales_csv.deal_row, hidden=sales_csv.hidden,
    )  # fmt: skip


@router.post(
    "/deals/import",
    summary="Create deals from CSV: account, pipeline and stage by name (needs deals:import)",
    **_import("deal"),
)
async def import_deals(request: Request, deals: DealStub) -> CsvImportResult:
    body = deals_pb2.ImportDealsRequest(csv=await request.body())
    return _created((await deals.ImportDeals(body, timeout=CSV_TIMEOUT_SECONDS)).ids)
