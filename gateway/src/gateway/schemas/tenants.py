from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from gateway.schemas.common import Email, Password, RequestBody, TimeZone

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class TenantCreate(RequestBody):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    slug: Slug
    admin_email: Email
    admin_password: Password
    timezone: TimeZone | None = None  # identity's default: UTC
    currency: Currency | None = None  # identity's default: USD


class TenantRead(BaseModel):
    id: str
    name: str
    slug: str
    timezone: str
    currency: str
    created_at: datetime | None = None


class TenantCreated(TenantRead):
    admin_user_id: str
