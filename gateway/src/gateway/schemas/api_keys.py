"""API keys and usage. A key's secret appears in one answer only: its creation."""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, BaseModel, Field

from gateway.schemas.common import RequestBody, next_cursor_field
from gateway.schemas.wire import INT64_MAX


class ApiKeyCreate(RequestBody):
    name: str
    profile_id: str = Field(description="The profile whose rights the key has")
    expires_at: AwareDatetime | None = Field(default=None, description="Default: never")
    daily_limit: int = Field(
        default=0,
        le=INT64_MAX,  # travels as int64
        description="API calls per UTC day for this key; 0 = only the tenant's limit",
    )


class ApiKeyRead(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it")
    profile_id: str
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = Field(default=None, description="To the minute")
    daily_limit: int
    created_at: dt.datetime | None = None
    created_by: str | None = None
    active: bool = Field(description="Neither revoked nor expired")


class ApiKeyCreated(ApiKeyRead):
    secret: str = Field(
        description="The key itself, shown this once: send it as `Authorization: Bearer "
        "<secret>` or `X-API-Key: <secret>`"
    )


class ApiKeyPage(BaseModel):
    items: list[ApiKeyRead]
    next_cursor: str | None = next_cursor_field()


class UsageDayRead(BaseModel):
    date: dt.date
    key_id: str | None = Field(description="The API key; null for calls with user tokens")
    calls: int


class UsageReport(BaseModel):
    items: list[UsageDayRead]
    total: int
    daily_limit: int = Field(description="The tenant's daily limit; 0 = unlimited")


class UsageLimits(RequestBody):
    daily_limit: int = Field(
        ge=0, le=INT64_MAX, description="API calls per UTC day for the tenant; 0 = unlimited"
    )
