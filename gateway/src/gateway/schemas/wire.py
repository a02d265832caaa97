"""What a request value must be to travel to a service and be stored there.

Integers go as protobuf int32 unless a field declares its own maximum (the int64
ones: ``le=INT64_MAX``), and protobuf refuses a larger value with an exception.
Text goes as UTF-8, which a lone surrogate (``"\\ud800"`` is valid JSON) cannot be
encoded in, and PostgreSQL refuses NUL characters, in JSON columns too. Each is a
422 naming the field here, where it would be a 500 further on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import annotated_types

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MAX = 2**63 - 1


def int_problem(value: Any, declared: Sequence[Any]) -> str | None:
    """Why ``value`` cannot travel as int32, unless the field declares its own bounds."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in declared):
        return None
    if value > INT32_MAX:
        return f"must be at most {INT32_MAX}"
    if value < INT32_MIN:
        return f"must be at least {INT32_MIN}"
    return None


def text_problem(value: Any) -> str | None:
    """Why a string in ``value`` (at any depth of lists and dicts) cannot be stored."""
    if isinstance(value, str):
        if "\x00" in value:
            return "must not contain NUL characters"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "must be valid Unicode text"
        return None
    if isinstance(value, dict):
        return next(filter(None, map(text_problem, [*value.keys(), *value.values()])), None)
    if isinstance(value, list | tuple | set):
        return next(filter(None, map(text_problem, value)), None)
    return None


def document_int_bounds(schema: dict[str, Any]) -> None:
    """OpenAPI shows the int32 bounds that ``int_problem`` enforces."""
    for prop in schema.get("properties", {}).values():
        for variant in [prop, *prop.get("anyOf", [])]:
            if variant.get("type") == "integer" and "maximum" not in variant:
                variant.setdefault("minimum", INT32_MIN)
                variant["maximum"] = INT32_MAX
