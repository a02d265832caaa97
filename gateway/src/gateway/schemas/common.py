"""Constrained types shared by the resource schemas.

They describe the contract's shape; identity stays the authority on business
rules (password policy, known roles, time zones) and answers 422 itself.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]
PersonName = Annotated[str, StringConstraints(max_length=200)]
TimeZone = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")]
Role = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Cursor = Annotated[str, StringConstraints(max_length=1024)]

PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 200


class RequestBody(BaseModel):
    """Unknown fields are refused (422) rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


def next_cursor_field() -> str | None:
    return Field(default=None, description="Pass as `cursor` for the next page; null at the end")
