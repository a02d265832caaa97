from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field
from gateway.schemas.tenants import TenantRead


class UserCreate(RequestBody):
    email: str
    password: str
    first_name: str = ""
    last_name: str = ""
    roles: list[str] = Field(default_factory=list, description="Default: identity's basic role")
    timezone: str | None = Field(default=None, description="IANA name; default: the tenant's")
    language: str | None = Field(default=None, description="e.g. en, pt-BR")
    role_id: str | None = Field(default=None, description="Place in the roles hierarchy")
    profile_ids: list[str] = Field(default_factory=list, description="Default: Read Only")
    phone: str = ""
    title: str = ""


class UserUpdate(RequestBody):
    """Partial update: only the fields present in the JSON change. ``null`` is not a
    value for any of them; the schema says so (``SkipJsonSchema``) and so does the
    validator."""

    email: str | SkipJsonSchema[None] = None
    password: str | SkipJsonSchema[None] = None
    first_name: str | SkipJsonSchema[None] = None
    last_name: str | SkipJsonSchema[None] = None
    active: bool | SkipJsonSchema[None] = None
    roles: list[str] | SkipJsonSchema[None] = None
    timezone: str | SkipJsonSchema[None] = None
    language: str | SkipJsonSchema[None] = None
    role_id: str | SkipJsonSchema[None] = None
    profile_ids: list[str] | SkipJsonSchema[None] = None
    phone: str | SkipJsonSchema[None] = None
    title: str | SkipJsonSchema[None] = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = Field(
        default=None, description="Expected version (or send If-Match); 409 if stale"
    )

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class UserRead(BaseModel):
    """A user as the caller may see it: fields hidden by the caller's profile are
    left out of the JSON altogether (not sent empty)."""

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
    role_id: str | None = None
    profile_ids: list[str] = Field(default_factory=list)
    phone: str = Field(default="", description="Absent when hidden from the caller")
    title: str = ""
    hidden_fields: SkipJsonSchema[list[str]] = Field(default_factory=list, exclude=True)

    @model_serializer(mode="wrap")
    def _drop_hidden(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in self.hidden_fields:
            data.pop(name, None)
        return data


class UserPage(BaseModel):
    items: list[UserRead]
    next_cursor: str | None = next_cursor_field()


class MeRead(BaseModel):
    user: UserRead
    tenant: TenantRead
    permissions: list[str]
