"""Types and bases shared by the resource schemas.

The gateway checks the shape of a request (types, required fields, no unknown
fields); identity owns the value rules (e-mail, slug, password policy, roles,
time zones, currencies) and reports every violated field at once, which a
partial copy of those rules here would cut short.
"""

from __future__ import annotations

from typing import Annotated, Any

import annotated_types
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

Cursor = Annotated[str, StringConstraints(max_length=1024)]

PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 200

# Integers travel to the services as protobuf int32 unless a field declares its own
# maximum (the int64 ones: ``le=INT64_MAX``); protobuf refuses a larger value with
# an exception, which must be a 422 naming the field, not a 500.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MAX = 2**63 - 1


def _document_int_bounds(schema: dict[str, Any]) -> None:
    """OpenAPI shows the int32 bounds that ``RequestBody`` enforces."""
    for prop in schema.get("properties", {}).values():
        for variant in [prop, *prop.get("anyOf", [])]:
            if variant.get("type") == "integer" and "maximum" not in variant:
                variant.setdefault("minimum", INT32_MIN)
                variant["maximum"] = INT32_MAX


class RequestBody(BaseModel):
    """Unknown fields are refused (422) rather than silently ignored; integers must
    fit the int32 they travel in (see ``INT32_MAX``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_document_int_bounds)

    @field_validator("*", mode="after")
    @classmethod
    def _int_fits_the_wire(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, int) or isinstance(value, bool) or info.field_name is None:
            return value
        declared = cls.model_fields[info.field_name].metadata
        if any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in declared):
            return value
        if value > INT32_MAX:
            raise ValueError(f"must be at most {INT32_MAX}")
        if value < INT32_MIN:
            raise ValueError(f"must be at least {INT32_MIN}")
        return value


def next_cursor_field() -> str | None:
    return Field(default=None, description="Pass as `cursor` for the next page; null at the end")
