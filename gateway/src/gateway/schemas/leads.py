"""Leads: ``LeadCreate / LeadUpdate / LeadRead / LeadPage`` and the status change."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field

LeadStatus = Literal["new", "contacted", "mql", "sql", "converted", "lost"]


class LeadCreate(RequestBody):
    first_name: str = ""
    last_name: str = Field(default="", description="A lead needs a last name or a company")
    email: str = ""
    phone: str = ""
    company: str = ""
    title: str = ""
    industry: str = ""
    source: str = ""
    status: LeadStatus | None = Field(default=None, description="An open status; default new")
    score: int = 0
    owner_id: str | None = Field(default=None, description="Default: you (API keys must give one)")
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class LeadUpdate(RequestBody):
    """Partial update: only the fields present in the JSON change (status moves
    through ``POST /leads/{id}/status``). ``null`` is not a value for any of them."""

    first_name: str | SkipJsonSchema[None] = None
    last_name: str | SkipJsonSchema[None] = None
    email: str | SkipJsonSchema[None] = None
    phone: str | SkipJsonSchema[None] = None
    company: str | SkipJsonSchema[None] = None
    title: str | SkipJsonSchema[None] = None
    industry: str | SkipJsonSchema[None] = None
    source: str | SkipJsonSchema[None] = None
    score: int | SkipJsonSchema[None] = None
    owner_id: str | SkipJsonSchema[None] = None
    tags: list[str] | SkipJsonSchema[None] = None
    custom_fields: dict[str, Any] | SkipJsonSchema[None] = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = Field(
        default=None, description="Expected version (or send If-Match); 409 if stale"
    )

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class LeadStatusChange(RequestBody):
    status: LeadStatus
    reason: str = ""
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = Field(
        default=None, description="Expected version (or send If-Match); 409 if stale"
    )


class LeadStatusHistoryEntry(BaseModel):
    from_status: str | None
    to_status: str
    reason: str
    changed_at: datetime | None
    changed_by: str | None


class LeadRead(BaseModel):
    """A lead as the caller may see it: fields hidden by the caller's profile are
    left out of the JSON altogether (not sent empty)."""

    id: str
    tenant_id: str
    first_name: str
    last_name: str
    email: str
    phone: str = Field(default="", description="Absent when hidden from the caller")
    company: str
    title: str
    industry: str
    source: str
    status: str
    score: int
    owner_id: str
    tags: list[str]
    custom_fields: dict[str, Any]
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None
    status_history: list[LeadStatusHistoryEntry] = Field(default_factory=list)
    converted_account_id: str | None = Field(default=None, description="Set by conversion")
    converted_contact_id: str | None = None
    converted_deal_id: str | None = None
    converted_at: datetime | None = None
    hidden_fields: SkipJsonSchema[list[str]] = Field(default_factory=list, exclude=True)

    @model_serializer(mode="wrap")
    def _drop_hidden(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in self.hidden_fields:
            data.pop(name, None)
        return data


class LeadCreated(LeadRead):
    duplicates: list[str] = Field(
        default_factory=list,
        description="Ids of leads you may see with the same e-mail or company",
    )


class LeadPage(BaseModel):
    items: list[LeadRead]
    next_cursor: str | None = next_cursor_field()
