"""The filters and sort of the lead list, shared by the list and the CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query

from crm_common.wire import to_timestamp
from gateway.schemas.leads import LeadStatus

LeadSort = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "score",
    "-score",
    "last_name",
    "-last_name",
]


@dataclass(frozen=True)
class LeadQuery:
    status: str
    owner_id: str
    q: str
    tag: str
    created_after: datetime | None
    created_before: datetime | None
    source: str
    sort: str

    def fields(self) -> dict[str, Any]:
        """As the ListLeadsRequest / ExportLeadsRequest fields of the same names."""
        return {
            "status": self.status,
            "owner_id": self.owner_id,
            "q": self.q,
            "tag": self.tag,
            "created_after": to_timestamp(self.created_after),
            "created_before": to_timestamp(self.created_before),
            "source": self.source,
            "sort": self.sort,
        }


async def lead_query(  # async: no thread-pool hop (see gateway.deps)
    *,
    status: LeadStatus | None = None,
    owner_id: UUID | None = None,
    q: Annotated[str | None, Query(max_length=200, description="In names, e-mail, company")] = None,
    tag: Annotated[str | None, Query(max_length=50)] = None,
    created_after: Annotated[
        datetime | None, Query(description="Created at or after (ISO 8601; UTC without offset)")
    ] = None,
    created_before: Annotated[datetime | None, Query(description="Created before")] = None,
    source: Annotated[str | None, Query(max_length=100)] = None,
    sort: Annotated[LeadSort, Query(description="'-' first: descending")] = "created_at",
) -> LeadQuery:
    return LeadQuery(
        status=status or "",
        owner_id=str(owner_id) if owner_id else "",
        q=q or "",
        tag=tag or "",
        created_after=created_after,
        created_before=created_before,
        source=source or "",
        sort=sort,
    )


LeadQueryDep = Annotated[LeadQuery, Depends(lead_query)]
