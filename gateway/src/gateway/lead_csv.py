"""Leads as CSV: sales streams the leads the caller may see (it checks
``leads:export`` and the caller's field rules); hidden fields get no column."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from crm.sales.v1 import sales_pb2 as pb
from gateway import csv_export, mappers_leads

COLUMNS = (
    "id", "first_name", "last_name", "email", "phone", "company", "title", "industry",
    "source", "status", "score", "owner_id", "tags", "created_at", "updated_at",
)  # fmt: skip
first_and_rest = csv_export.first_and_rest


def _row(lead: pb.Lead) -> dict[str, Any]:
    return mappers_leads.lead_read(lead).model_dump()


def _hidden(lead: pb.Lead) -> list[str]:
    return list(lead.hidden_fields)


def csv_chunks(first: pb.Lead | None, rest: AsyncIterator[pb.Lead]) -> AsyncIterator[str]:
    return csv_export.csv_chunks(first, rest, COLUMNS, to_row=_row, hidden=_hidden)
