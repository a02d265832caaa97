"""Value rules of accounts and contacts, and the account hierarchy: pure functions.

Every violated field is reported at once (422 naming each field).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from crm_common.errors import FieldViolation, InvalidArgument
from sales.domain import rules

ADDRESS_KEYS = ("street", "city", "postal_code", "region", "country")
ADDRESS_LIMITS = {"street": 300, "city": 100, "postal_code": 20, "region": 100, "country": 100}
ADDRESS_FIELDS = ("billing_address", "shipping_address")
EXTERNAL_ID_LIMIT = 100  # another system's id; stored as None when empty
ACCOUNT_LIMITS = {
    "name": 200, "website": 300, "industry": 100, "phone": 64, "external_id": EXTERNAL_ID_LIMIT,
}  # fmt: skip
CONTACT_LIMITS = {
    "first_name": 100, "last_name": 100, "email": 254, "phone": 64, "title": 200,
    "external_id": EXTERNAL_ID_LIMIT,
}  # fmt: skip
NEW_ACCOUNT_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {
        **dict.fromkeys(ACCOUNT_LIMITS, ""),
        "billing_address": {},
        "shipping_address": {},
        "parent_id": None,
        "tags": [],
        "custom_fields": {},
    }
)
NEW_CONTACT_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {**dict.fromkeys(CONTACT_LIMITS, ""), "tags": [], "custom_fields": {}}
)


def clean_address(address: Mapping[str, Any]) -> dict[str, str]:
    """Known keys only, trimmed; empty parts left out."""
    cleaned = {key: str(address.get(key) or "").strip() for key in ADDRESS_KEYS}
    return {key: value for key, value in cleaned.items() if value}


def clean(values: Mapping[str, Any], limits: Mapping[str, int]) -> dict[str, Any]:
    cleaned = dict(values)
    for name in limits:
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip()
    if isinstance(cleaned.get("email"), str):
        cleaned["email"] = rules.normalize_email(cleaned["email"])
    if "external_id" in cleaned:
        cleaned["external_id"] = cleaned["external_id"] or None  # NULLs never collide
    if isinstance(cleaned.get("tags"), list):
        cleaned["tags"] = list(dict.fromkeys(t.strip() for t in cleaned["tags"]))
    for name in ADDRESS_FIELDS:
        if isinstance(cleaned.get(name), Mapping):
            cleaned[name] = clean_address(cleaned[name])
    if isinstance(cleaned.get("custom_fields"), dict):
        cleaned["custom_fields"] = dict(cleaned["custom_fields"])
    return cleaned


def _violations(values: Mapping[str, Any], limits: Mapping[str, int]) -> list[FieldViolation]:
    found = [
        FieldViolation(name, f"at most {limit} characters")
        for name, limit in limits.items()
        if len(str(values.get(name) or "")) > limit
    ]
    email = values.get("email")
    if email and not rules.EMAIL.match(str(email)):
        found.append(FieldViolation("email", "is not an e-mail address"))
    for name in ADDRESS_FIELDS:
        address = values.get(name) or {}
        found += [
            FieldViolation(name, f"{key}: at most {limit} characters")
            for key, limit in ADDRESS_LIMITS.items()
            if len(str(address.get(key) or "")) > limit
        ][:1]
    found += rules._tag_violations(values.get("tags"))
    found += rules._custom_field_violations(values.get("custom_fields"))
    return found


def validate_account(changes: Mapping[str, Any], merged: Mapping[str, Any]) -> None:
    """``merged`` is the account as it would be after the change."""
    found = _violations(changes, ACCOUNT_LIMITS)
    if not merged.get("name"):
        found.append(FieldViolation("name", "an account needs a name"))
    _raise("account", found)


def validate_contact(changes: Mapping[str, Any], merged: Mapping[str, Any]) -> None:
    found = _violations(changes, CONTACT_LIMITS)
    if not merged.get("last_name"):
        found.append(FieldViolation("last_name", "a contact needs a last name"))
    if not merged.get("account_id"):
        found.append(FieldViolation("account_id", "a contact belongs to an account"))
    _raise("contact", found)


def _raise(what: str, found: list[FieldViolation]) -> None:
    if found:
        summary = "; ".join(f"{v.field}: {v.message}" for v in found[:3])
        raise InvalidArgument(f"the {what} is invalid ({summary})", found)


def check_parent(account_id: uuid.UUID, parent_ancestry: Iterable[uuid.UUID]) -> None:
    """``parent_ancestry``: the new parent and its ancestors. The account may not sit
    under itself or under one of its descendants."""
    if account_id in set(parent_ancestry):
        raise InvalidArgument.for_field(
            "parent_id", "an account cannot sit under itself or one of its sub-accounts"
        )
