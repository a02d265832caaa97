from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from gateway.schemas.common import RequestBody


class TenantCreate(RequestBody):
    name: str
    slug: str = Field(description="Lowercase letters, digits and inner hyphens; unique")
    admin_email: str
    admin_password: str
    timezone: str | None = Field(default=None, description="IANA name; default UTC")
    currency: str | None = Field(default=None, description="ISO 4217 code; default USD")


class TenantRead(BaseModel):
    id: str
    name: str
    slug: str
    timezone: str
    currency: str
    created_at: datetime | None = None


class TenantCreated(TenantRead):
    admin_user_id: str
