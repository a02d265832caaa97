"""Validation rules for identity's records. Pure functions, no I/O."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from crm_common.errors import FieldViolation, InvalidArgument

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?$")
MAX_NAME = 200
KNOWN_ROLES = ("admin", "user")


class Violations:
    """Collects every problem of one request so the client can fix all at once."""

    def __init__(self) -> None:
        self.items: list[FieldViolation] = []

    def add(self, field: str, message: str) -> None:
        self.items.append(FieldViolation(field, message))

    def raise_if_any(self) -> None:
        if self.items:
            summary = "; ".join(f"{v.field}: {v.message}" for v in self.items)
            raise InvalidArgument(summary, self.items)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_email(v: Violations, field: str, email: str) -> None:
    if len(email) > 254 or not EMAIL.match(email):
        v.add(field, "is not a valid e-mail address")


def check_password(v: Violations, field: str, password: str, min_length: int) -> None:
    if len(password) < min_length:
        v.add(field, f"must be at least {min_length} characters")
    elif len(password) > 256:
        v.add(field, "must be at most 256 characters")


def check_name(v: Violations, field: str, value: str, *, required: bool) -> None:
    if required and not value.strip():
        v.add(field, "is required")
    elif len(value) > MAX_NAME:
        v.add(field, f"must be at most {MAX_NAME} characters")


def check_slug(v: Violations, slug: str) -> None:
    if not SLUG.match(slug):
        v.add("slug", "must be 1-63 lowercase letters, digits or inner hyphens")


def check_timezone(v: Violations, field: str, name: str) -> None:
    if name not in available_timezones():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            v.add(field, "is not a known IANA time zone")


def check_currency(v: Violations, currency: str) -> None:
    if not CURRENCY.match(currency):
        v.add("currency", "must be an ISO 4217 code such as EUR")


def check_language(v: Violations, field: str, language: str) -> None:
    if not LANGUAGE.match(language):
        v.add(field, "must be a language tag such as en or pt-BR")


def check_roles(v: Violations, roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(KNOWN_ROLES))
    if unknown:
        v.add("roles", f"unknown roles: {', '.join(unknown)}")


def permissions_for(roles: list[str]) -> list[str]:
    """Permissions carried in the access token. Profiles replace this table later."""
    if "admin" in roles:
        return ["*"]
    return ["users:view", "me:view"]


PHONE = re.compile(r"^\+?[0-9 ()./-]{3,40}$")


def check_phone(v: Violations, field: str, phone: str) -> None:
    if phone and not PHONE.match(phone.strip()):
        v.add(field, "is not a phone number")
