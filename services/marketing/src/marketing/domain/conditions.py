"""Field conditions over a prospect's attributes: segments and fit rules share
them. Pure: validation, and evaluation of one prospect (the SQL form of the
same rules lives in adapters.segment_query)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crm_common.errors import FieldViolation, InvalidArgument

TEXT_FIELDS = (
    "email", "first_name", "last_name", "company", "title", "industry", "country",
    "language", "status", "source", "owner_id",
)  # fmt: skip
NUMBER_FIELDS = ("employees",)
FIELDS = TEXT_FIELDS + NUMBER_FIELDS
TEXT_OPS = ("eq", "neq", "contains", "starts_with", "in", "not_in", "is_empty", "not_empty")
NUMBER_OPS = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in", "is_empty", "not_empty")
NO_VALUE_OPS = ("is_empty", "not_empty")
LIST_OPS = ("in", "not_in")
MAX_VALUES = 100
MAX_VALUE = 200


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: str = ""
    values: tuple[str, ...] = ()


def problems(cond: Condition, where: str) -> list[FieldViolation]:
    """What is wrong with ``cond``, each named ``<where>.<part>``."""
    if cond.field not in FIELDS:
        return [FieldViolation(f"{where}.field", f"must be one of {', '.join(FIELDS)}")]
    ops = NUMBER_OPS if cond.field in NUMBER_FIELDS else TEXT_OPS
    if cond.op not in ops:
        return [FieldViolation(f"{where}.op", f"must be one of {', '.join(ops)} for {cond.field}")]
    found: list[FieldViolation] = []
    if cond.op in LIST_OPS:
        if not cond.values or len(cond.values) > MAX_VALUES:
            found.append(FieldViolation(f"{where}.values", f"1..{MAX_VALUES} values"))
        elif any(len(v) > MAX_VALUE for v in cond.values):
            found.append(FieldViolation(f"{where}.values", f"at most {MAX_VALUE} characters each"))
        elif cond.field in NUMBER_FIELDS and not all(_is_int(v) for v in cond.values):
            found.append(FieldViolation(f"{where}.values", "must be whole numbers"))
    elif cond.op not in NO_VALUE_OPS:
        if not cond.value or len(cond.value) > MAX_VALUE:
            found.append(FieldViolation(f"{where}.value", f"1..{MAX_VALUE} characters"))
        elif cond.field in NUMBER_FIELDS and not _is_int(cond.value):
            found.append(FieldViolation(f"{where}.value", "must be a whole number"))
    return found


def validate(conditions: Sequence[Condition], where: str = "conditions") -> None:
    found = [v for i, c in enumerate(conditions) for v in problems(c, f"{where}[{i}]")]
    if found:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in found), found)


def _is_int(text: str) -> bool:
    try:
        return abs(int(text)) < 2**31
    except ValueError:
        return False


def matches(cond: Condition, prospect: Mapping[str, Any]) -> bool:  # noqa: PLR0911
    """Text compares case-insensitively; numbers as integers."""
    raw = prospect.get(cond.field)
    if cond.field in NUMBER_FIELDS:
        number = int(raw or 0)
        if cond.op == "is_empty":
            return number == 0
        if cond.op == "not_empty":
            return number != 0
        if cond.op in LIST_OPS:
            inside = number in {int(v) for v in cond.values}
            return inside if cond.op == "in" else not inside
        target = int(cond.value)
        return {
            "eq": number == target, "neq": number != target, "gt": number > target,
            "gte": number >= target, "lt": number < target, "lte": number <= target,
        }[cond.op]  # fmt: skip
    text = str(raw or "").strip().lower()
    if cond.op == "is_empty":
        return text == ""
    if cond.op == "not_empty":
        return text != ""
    if cond.op in LIST_OPS:
        inside = text in {v.strip().lower() for v in cond.values}
        return inside if cond.op == "in" else not inside
    value = cond.value.strip().lower()
    if cond.op == "eq":
        return text == value
    if cond.op == "neq":
        return text != value
    if cond.op == "contains":
        return value in text
    return text.startswith(value)  # starts_with
