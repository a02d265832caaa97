"""Value rules of a lead and of duplicate detection: pure functions, no I/O.

Every violated field is reported at once (422 naming each field).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from crm_common.errors import FieldViolation, InvalidArgument

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 64,
    "company": 200,
    "title": 200,
    "industry": 100,
    "source": 100,
}
MAX_TAGS, MAX_TAG_LENGTH = 50, 50
MAX_CUSTOM_FIELDS, MAX_CUSTOM_KEY_LENGTH = 100, 64
SCORE_RANGE = (0, 100)
# What a new lead has for every field the caller left out (owner: the caller).
NEW_LEAD_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {**dict.fromkeys(MAX_LENGTHS, ""), "score": 0, "tags": [], "custom_fields": {}}
)


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Strings trimmed, tags de-duplicated in order, e-mail lower-cased."""
    cleaned = dict(values)
    for name in MAX_LENGTHS:
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip()
    if isinstance(cleaned.get("email"), str):
        cleaned["email"] = normalize_email(cleaned["email"])
    if isinstance(cleaned.get("tags"), list):
        cleaned["tags"] = list(dict.fromkeys(t.strip() for t in cleaned["tags"]))
    if isinstance(cleaned.get("custom_fields"), dict):
        cleaned["custom_fields"] = dict(cleaned["custom_fields"])
    return cleaned


def violations(values: Mapping[str, Any]) -> list[FieldViolation]:
    found = [
        FieldViolation(name, f"at most {limit} characters")
        for name, limit in MAX_LENGTHS.items()
        if len(str(values.get(name) or "")) > limit
    ]
    email = values.get("email")
    if email and not EMAIL.match(str(email)):
        found.append(FieldViolation("email", "is not an e-mail address"))
    score = values.get("score")
    if score is not None and not SCORE_RANGE[0] <= int(score) <= SCORE_RANGE[1]:
        found.append(FieldViolation("score", "must be between 0 and 100"))
    found += _tag_violations(values.get("tags"))
    found += _custom_field_violations(values.get("custom_fields"))
    return found


def _tag_violations(tags: Iterable[str] | None) -> list[FieldViolation]:
    tags = list(tags or [])
    if len(tags) > MAX_TAGS:
        return [FieldViolation("tags", f"at most {MAX_TAGS} tags")]
    if any(not tag or len(tag) > MAX_TAG_LENGTH for tag in tags):
        return [FieldViolation("tags", f"each tag has 1 to {MAX_TAG_LENGTH} characters")]
    return []


def _custom_field_violations(custom: object) -> list[FieldViolation]:
    if custom is None:
        return []
    if not isinstance(custom, dict):
        return [FieldViolation("custom_fields", "must be a JSON object")]
    if len(custom) > MAX_CUSTOM_FIELDS:
        return [FieldViolation("custom_fields", f"at most {MAX_CUSTOM_FIELDS} fields")]
    if any(not key or len(key) > MAX_CUSTOM_KEY_LENGTH for key in custom):
        return [FieldViolation("custom_fields", f"keys have 1 to {MAX_CUSTOM_KEY_LENGTH} chars")]
    return []


def validate_new(values: Mapping[str, Any]) -> None:
    found = violations(values)
    if not (values.get("last_name") or values.get("company")):
        found.append(FieldViolation("last_name", "a lead needs a last name or a company"))
    _raise(found)


def validate_changes(changes: Mapping[str, Any], merged: Mapping[str, Any]) -> None:
    """``merged`` is the lead as it would be after the change."""
    found = violations(changes)
    if not (merged.get("last_name") or merged.get("company")):
        found.append(FieldViolation("last_name", "a lead needs a last name or a company"))
    _raise(found)


def _raise(found: list[FieldViolation]) -> None:
    if found:
        summary = "; ".join(f"{v.field}: {v.message}" for v in found[:3])
        raise InvalidArgument(f"the lead is invalid ({summary})", found)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def normalize_company(company: str) -> str:
    """Case and spacing do not make a different company."""
    return " ".join(company.split()).casefold()


def duplicate_fields(email: str, company: str, existing: Iterable[tuple[str, str]]) -> list[str]:
    """Which of ``email``/``company`` an existing lead (email, company) already has."""
    matched: set[str] = set()
    for other_email, other_company in existing:
        if email and normalize_email(other_email) == normalize_email(email):
            matched.add("email")
        if company and normalize_company(other_company) == normalize_company(company):
            matched.add("company")
    return [name for name in ("email", "company") if name in matched]
