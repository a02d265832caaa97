"""Users as CSV: identity streams the users the caller may see (it checks
``users:export`` and the caller's field rules); hidden fields get no column."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from crm.identity.v1 import identity_pb2 as pb
from crm_common.csv_io import Column, export_rows
from gateway import mappers

COLUMNS = (
    "id", "email", "first_name", "last_name", "title", "phone", "active", "role_id",
    "profile_ids", "timezone", "language", "created_at", "last_login_at",
)  # fmt: skip
CHUNK = 200


async def first_and_rest(stream: Any) -> tuple[pb.User | None, AsyncIterator[pb.User]]:
    """Read one message first, so a refusal becomes an error response, not a broken file."""
    iterator = stream.__aiter__()
    try:
        first = await iterator.__anext__()
    except StopAsyncIteration:
        first = None
    return first, iterator


async def csv_chunks(first: pb.User | None, rest: AsyncIterator[pb.User]) -> AsyncIterator[str]:
    hidden = set(first.hidden_fields) if first is not None else set()
    columns = [Column(name) for name in COLUMNS if name not in hidden]
    batch = [first] if first is not None else []
    header_sent = False
    async for user in rest:
        batch.append(user)
        if len(batch) >= CHUNK:
            for chunk in _render(batch, columns, skip_header=header_sent):
                yield chunk
            header_sent, batch = True, []
    for chunk in _render(batch, columns, skip_header=header_sent):
        yield chunk


def _render(batch: list[pb.User], columns: list[Column], *, skip_header: bool) -> list[str]:
    rows = [mappers.user_read(user).model_dump() for user in batch]
    chunks = list(export_rows(rows, columns, chunk_rows=len(rows) or 1))
    return chunks[1:] if skip_header else chunks
