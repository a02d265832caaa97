"""Types and bases shared by the resource schemas.

The gateway checks the shape of a request (types, required fields, no unknown
fields); identity owns the value rules (e-mail, slug, password policy, roles,
time zones, currencies) and reports every violated field at once, which a
partial copy of those rules here would cut short.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from gateway.schemas.wire import document_int_bounds, int_problem, text_problem

Cursor = Annotated[str, StringConstraints(max_length=1024)]

PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 200


class RequestBody(BaseModel):
    """Unknown fields are refused (422) rather than silently ignored, and so are
    values that could not travel to a service or be stored (``schemas.wire``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=document_int_bounds)

    @field_validator("*", mode="after")
    @classmethod
    def _fits_the_wire(cls, value: Any, info: ValidationInfo) -> Any:
        declared = cls.model_fields[info.field_name].metadata if info.field_name else []
        problem = int_problem(value, declared) or text_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


def next_cursor_field() -> str | None:
    return Field(default=None, description="Pass as `cursor` for the next page; null at the end")
