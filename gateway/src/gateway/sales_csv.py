"""Accounts, contacts and deals as CSV rows: the record as its JSON read shows
it, addresses flattened (``billing_street`` ...), and the names of what it
relates to. The column names are those the imports take (README, sales.proto).
Sales names the columns to leave out for the caller in ``hidden_columns``."""

from __future__ import annotations

from typing import Any

from crm.sales.v1 import deals_pb2, sales_pb2
from gateway import mappers_accounts, mappers_deals

ADDRESS_KEYS = ("street", "city", "postal_code", "region", "country")
ADDRESS_COLUMNS = tuple(
    f"{prefix}_{key}" for prefix in ("billing", "shipping") for key in ADDRESS_KEYS
)
AUDIT = ("owner_id", "tags", "created_at", "updated_at")
ACCOUNT_COLUMNS = (
    "id", "name", "external_id", "website", "industry", "phone", *ADDRESS_COLUMNS,
    "parent_id", "parent_name", "parent_external_id", *AUDIT,
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "first_name", "last_name", "email", "phone", "title", "external_id",
    "account_id", "account_name", "account_external_id", *AUDIT,
)  # fmt: skip
DEAL_COLUMNS = (
    "id", "name", "account_id", "account_name", "account_external_id", "pipeline", "stage",
    "amount", "currency", "probability", "close_date", "status", "lost_reason", *AUDIT,
)  # fmt: skip


def hidden(row: Any) -> list[str]:
    return list(row.hidden_columns)


def account_row(row: sales_pb2.AccountExportRow) -> dict[str, Any]:
    data = mappers_accounts.account_read(row.account).model_dump()
    for prefix in ("billing", "shipping"):
        address = data.pop(f"{prefix}_address", None) or {}
        data.update({f"{prefix}_{key}": address.get(key) for key in ADDRESS_KEYS})
    return {**data, "parent_name": row.parent_name, "parent_external_id": row.parent_external_id}


def contact_row(row: sales_pb2.ContactExportRow) -> dict[str, Any]:
    data = mappers_accounts.contact_read(row.contact).model_dump()
    relation = {"account_name": row.account_name, "account_external_id": row.account_external_id}
    return {**data, **relation}


def deal_row(row: deals_pb2.DealExportRow) -> dict[str, Any]:
    data = mappers_deals.deal_read(row.deal).model_dump()
    return {
        **data,
        "account_name": row.account_name,
        "account_external_id": row.account_external_id,
        "pipeline": row.pipeline_name,
        "stage": row.stage_name,
    }
