"""The RFC 9457 problem document, as published in OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    model_config = ConfigDict(extra="allow")  # extension members, e.g. readiness checks

    type: str
    title: str
    status: int
    detail: str
    instance: str
    request_id: str | None = None
    errors: list[FieldError] = []
