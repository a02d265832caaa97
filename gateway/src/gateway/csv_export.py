"""CSV exports of any resource: the owning service streams records (it checks
``<module>:export`` and the caller's field rules), this turns them into CSV
chunks as they arrive, leaving out the columns the first record says are hidden.

The first record is read before the response starts, so a refusal becomes a
problem+json error instead of a broken file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Any

from fastapi.responses import StreamingResponse

from crm_common.csv_io import Column, export_rows

CHUNK = 200
ToRow = Callable[[Any], Mapping[str, Any]]
Hidden = Callable[[Any], Iterable[str]]


async def first_and_rest(stream: Any) -> tuple[Any | None, AsyncIterator[Any]]:
    """Read one message first, so a refusal becomes an error response, not a broken file."""
    iterator = stream.__aiter__()
    try:
        first = await iterator.__anext__()
    except StopAsyncIteration:
        first = None
    return first, iterator


async def csv_chunks(
    first: Any | None,
    rest: AsyncIterator[Any],
    columns: Sequence[str],
    *,
    to_row: ToRow,
    hidden: Hidden,
) -> AsyncIterator[str]:
    """The header, then the rows ``CHUNK`` at a time; ``hidden(first)`` names the
    columns left out (the same for every record of one export)."""
    left_out = set(hidden(first)) if first is not None else set()
    shown = [Column(name) for name in columns if name not in left_out]
    batch = [first] if first is not None else []
    header_sent = False
    async for record in rest:
        batch.append(record)
        if len(batch) >= CHUNK:
            for chunk in _render(batch, shown, to_row, skip_header=header_sent):
                yield chunk
            header_sent, batch = True, []
    for chunk in _render(batch, shown, to_row, skip_header=header_sent):
        yield chunk


def _render(
    batch: list[Any], columns: list[Column], to_row: ToRow, *, skip_header: bool
) -> list[str]:
    rows = [to_row(record) for record in batch]
    chunks = list(export_rows(rows, columns, chunk_rows=len(rows) or 1))
    return chunks[1:] if skip_header else chunks


async def csv_response(
    stream: Any, columns: Sequence[str], filename: str, *, to_row: ToRow, hidden: Hidden
) -> StreamingResponse:
    """A ``text/csv`` attachment of everything ``stream`` yields."""
    first, rest = await first_and_rest(stream)
    return StreamingResponse(
        csv_chunks(first, rest, columns, to_row=to_row, hidden=hidden),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
