"""The answer of a leads CSV import."""

from __future__ import annotations

from pydantic import BaseModel


class LeadImportResult(BaseModel):
    created: int
    ids: list[str]
