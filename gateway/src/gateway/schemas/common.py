"""Types and bases shared by the resource schemas.

The gateway checks the shape of a request (types, required fields, no unknown
fields); identity owns the value rules (e-mail, slug, password policy, roles,
time zones, currencies) and reports every violated field at once, which a
partial copy of those rules here would cut short.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Cursor = Annotated[str, StringConstraints(max_length=1024)]

PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 200


class RequestBody(BaseModel):
    """Unknown fields are refused (422) rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


def next_cursor_field() -> str | None:
    return Field(default=None, description="Pass as `cursor` for the next page; null at the end")
