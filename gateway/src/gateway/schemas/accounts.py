"""Accounts and contacts: ``*Create / *Update / *Read / *Page``."""

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

VERSION_FIELD = Field(default=None, description="Expected version (or send If-Match); 409 if stale")
EXTERNAL_ID = "Another system's id (<= 100 characters), unique among live records; 409 if taken"


class Address(RequestBody):
    street: str = ""
    city: str = ""
    postal_code: str = ""
    region: str = ""
    country: str = ""


class _NotNull(RequestBody):
    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class AccountCreate(RequestBody):
    name: str
    website: str = ""
    industry: str = ""
    phone: str = ""
    billing_address: Address = Field(default_factory=Address)
    shipping_address: Address = Field(default_factory=Address)
    parent_id: str | None = Field(default=None, description="The parent account (hierarchy)")
    owner_id: str | None = Field(default=None, description="Default: you (API keys must give one)")
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    external_id: str | None = Field(default=None, description=EXTERNAL_ID)


class AccountUpdate(_NotNull):
    """Partial update: only the fields present change. ``parent_id: ""`` makes the
    account top-level; moving it under one of its sub-accounts is refused (422)."""

    name: str | SkipJsonSchema[None] = None
    website: str | SkipJsonSchema[None] = None
    industry: str | SkipJsonSchema[None] = None
    phone: str | SkipJsonSchema[None] = None
    billing_address: Address | SkipJsonSchema[None] = None
    shipping_address: Address | SkipJsonSchema[None] = None
    parent_id: str | SkipJsonSchema[None] = None
    owner_id: str | SkipJsonSchema[None] = None
    tags: list[str] | SkipJsonSchema[None] = None
    custom_fields: dict[str, Any] | SkipJsonSchema[None] = None
    external_id: str | SkipJsonSchema[None] = Field(default=None, description='"" clears it')
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD


class _Redacted(BaseModel):
    """Fields hidden by the caller's profile are left out of the JSON altogether."""

    hidden_fields: SkipJsonSchema[list[str]] = Field(default_factory=list, exclude=True)

    @model_serializer(mode="wrap")
    def _drop_hidden(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in self.hidden_fields:
            data.pop(name, None)
        return data


class AddressRead(BaseModel):
    street: str = ""
    city: str = ""
    postal_code: str = ""
    region: str = ""
    country: str = ""


class AccountRead(_Redacted):
    id: str
    tenant_id: str
    name: str
    website: str = ""
    industry: str = ""
    phone: str = Field(default="", description="Absent when hidden from the caller")
    billing_address: AddressRead = Field(default_factory=AddressRead)
    shipping_address: AddressRead = Field(default_factory=AddressRead)
    parent_id: str | None = None
    owner_id: str
    tags: list[str]
    custom_fields: dict[str, Any]
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None
    lead_id: str | None = Field(default=None, description="The lead converted into it")
    external_id: str | None = None


class AccountPage(BaseModel):
    items: list[AccountRead]
    next_cursor: str | None = next_cursor_field()


class ContactCreate(RequestBody):
    account_id: str = Field(description="An account you may see")
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    title: str = ""
    owner_id: str | None = Field(default=None, description="Default: you (API keys must give one)")
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    external_id: str | None = Field(default=None, description=EXTERNAL_ID)


class ContactUpdate(_NotNull):
    account_id: str | SkipJsonSchema[None] = None
    first_name: str | SkipJsonSchema[None] = None
    last_name: str | SkipJsonSchema[None] = None
    email: str | SkipJsonSchema[None] = None
    phone: str | SkipJsonSchema[None] = None
    title: str | SkipJsonSchema[None] = None
    owner_id: str | SkipJsonSchema[None] = None
    tags: list[str] | SkipJsonSchema[None] = None
    custom_fields: dict[str, Any] | SkipJsonSchema[None] = None
    external_id: str | SkipJsonSchema[None] = Field(default=None, description='"" clears it')
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD


class ContactRead(_Redacted):
    id: str
    tenant_id: str
    account_id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = Field(default="", description="Absent when hidden from the caller")
    title: str = ""
    owner_id: str
    tags: list[str]
    custom_fields: dict[str, Any]
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None
    lead_id: str | None = Field(default=None, description="The lead converted into it")
    external_id: str | None = None


class ContactPage(BaseModel):
    items: list[ContactRead]
    next_cursor: str | None = next_cursor_field()
