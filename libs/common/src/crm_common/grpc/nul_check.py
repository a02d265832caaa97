"""Text no service can keep: PostgreSQL refuses NUL characters in text, in a
filter as much as in a stored value. The server interceptor refuses a request
carrying one as INVALID_ARGUMENT naming the field, before any handler or query
sees it (a 422 at the gateway, where the database error would be a 500)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf.message import Message

from crm_common import errors

NUL = "\x00"


def refuse_nul_characters(request: Any) -> None:
    if isinstance(request, Message):
        path = nul_field(request)
        if path is not None:
            raise errors.InvalidArgument.for_field(path, "must not contain NUL characters")


def nul_field(message: Message, prefix: str = "") -> str | None:
    """The path (``lines[2].name``) of the first string in ``message`` holding a NUL."""
    for field, value in message.ListFields():
        found = _find(value, prefix + field.name)
        if found is not None:
            return found
    return None


def _find(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, Message):
        return nul_field(value, path + ".")
    if isinstance(value, Mapping):  # map fields, custom fields (Struct)
        for key, item in value.items():
            found = _find(key, path) or _find(item, f"{path}.{key}")
            if found is not None:
                return found
    elif isinstance(value, Sequence) and not isinstance(value, bytes):  # repeated fields
        for index, item in enumerate(value):
            found = _find(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
