"""Leads as CSV: sales streams the leads the caller may see (it checks
``leads:export`` and the caller's field rules); hidden fields get no column."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from crm.sales.v1 import sales_pb2 as pb
from crm_common.csv_io import Column, export_rows
from gateway import mappers_leads

COLUMNS = (
    "id", "first_name", "last_name", "email", "phone", "company", "title", "industry",
    "source", "status", "score", "owner_id", "tags", "created_at", "updated_at",
)  # fmt: skip
CHUNK = 200


async def first_and_rest(stream: Any) -> tuple[pb.Lead | None, AsyncIterator[pb.Lead]]:
    """Read one message first, so a refusal becomes an error response, not a broken file."""
    iterator = stream.__aiter__()
    try:
        first = await iterator.__anext__()
    except StopAsyncIteration:
        first = None
    return first, iterator


async def csv_chunks(first: pb.Lead | None, rest: AsyncIterator[pb.Lead]) -> AsyncIterator[str]:
    hidden = set(first.hidden_fields) if first is not None else set()
    columns = [Column(name) for name in COLUMNS if name not in hidden]
    batch = [first] if first is not None else []
    header_sent = False
    async for lead in rest:
        batch.append(lead)
        if len(batch) >= CHUNK:
            for chunk in _render(batch, columns, skip_header=header_sent):
                yield chunk
            header_sent, batch = True, []
    for chunk in _render(batch, columns, skip_header=header_sent):
        yield chunk


def _render(batch: list[pb.Lead], columns: list[Column], *, skip_header: bool) -> list[str]:
    rows = [mappers_leads.lead_read(lead).model_dump() for lead in batch]
    chunks = list(export_rows(rows, columns, chunk_rows=len(rows) or 1))
    return chunks[1:] if skip_header else chunks
