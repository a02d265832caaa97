from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from gateway.schemas.common import next_cursor_field


class AccessAuditRead(BaseModel):
    id: str
    event_id: str
    kind: str  # login_succeeded | login_failed | refresh_reuse_detected | logout
    user_id: str
    email: str
    client_ip: str
    detail: str
    occurred_at: datetime | None = None


class AccessAuditPage(BaseModel):
    items: list[AccessAuditRead]
    next_cursor: str | None = next_cursor_field()
