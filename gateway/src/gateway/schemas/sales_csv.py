"""The answer of an accounts, contacts or deals CSV import."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CsvImportResult(BaseModel):
    created: int
    ids: list[str] = Field(description="Of the created records, in file order")
