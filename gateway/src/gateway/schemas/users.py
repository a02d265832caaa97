from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from gateway.schemas.common import (
    Email,
    Language,
    Password,
    PersonName,
    RequestBody,
    Role,
    TimeZone,
    next_cursor_field,
)
from gateway.schemas.tenants import TenantRead


class UserCreate(RequestBody):
    email: Email
    password: Password
    first_name: PersonName
    last_name: PersonName
    roles: list[Role] = Field(default_factory=list, max_length=20)
    timezone: TimeZone | None = None
    language: Language | None = None


class UserUpdate(RequestBody):
    """Partial update: only the fields present in the JSON change. ``null`` is not a
    value for any of them (the types say so), hence the ``default=None`` trick."""

    email: Email = Field(default=None)
    password: Password = Field(default=None)
    first_name: PersonName = Field(default=None)
    last_name: PersonName = Field(default=None)
    active: bool = Field(default=None)
    roles: Annotated[list[Role], Field(max_length=20)] = Field(default=None)
    timezone: TimeZone = Field(default=None)
    language: Language = Field(default=None)
    version: int = Field(
        default=None, ge=1, description="Expected version (or send If-Match); 409 if stale"
    )


class UserRead(BaseModel):
    id: str
    tenant_id: str
    email: str
    first_name: str
    last_name: str
    active: bool
    roles: list[str]
    timezone: str
    language: str
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_login_at: datetime | None = None


class UserPage(BaseModel):
    items: list[UserRead]
    next_cursor: str | None = next_cursor_field()


class MeRead(BaseModel):
    user: UserRead
    tenant: TenantRead
    permissions: list[str]
