"""A protobuf answer as plain JSON-ready data, for schemas that mirror the
message field for field (quotes, forecasts)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message


def plain(message: Message, optional: Collection[str] = ()) -> dict[str, Any]:
    """Field names as declared, every field present; the ``optional`` ones (ids and
    figures that proto3 can only leave empty) become null when empty."""
    data = MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return _nulls(data, frozenset(optional))


def _nulls(value: Any, optional: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            k: None if k in optional and v == "" else _nulls(v, optional) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_nulls(v, optional) for v in value]
    return value
