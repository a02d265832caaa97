"""The recycle bin of sales records."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from gateway.schemas.common import next_cursor_field

BinModule = Literal["leads", "accounts", "contacts", "deals", "activities"]


class RecycleBinItem(BaseModel):
    id: UUID
    module: BinModule
    name: str
    deleted_at: datetime
    deleted_by: UUID | None = None


class RecycleBinPage(BaseModel):
    items: list[RecycleBinItem]
    next_cursor: str | None = next_cursor_field()
