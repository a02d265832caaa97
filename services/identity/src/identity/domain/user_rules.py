"""Validation of user commands: pure, every problem reported at once."""

from __future__ import annotations

from crm_common.errors import InvalidArgument
from identity.domain import rules
from identity.domain.commands import UPDATABLE_USER_FIELDS, CreateUser


def validate_new(cmd: CreateUser, min_password: int) -> None:
    v = rules.Violations()
    rules.check_email(v, "email", rules.normalize_email(cmd.email))
    rules.check_password(v, "password", cmd.password, min_password)
    rules.check_name(v, "first_name", cmd.first_name, required=False)
    rules.check_name(v, "last_name", cmd.last_name, required=False)
    rules.check_name(v, "title", cmd.title, required=False)
    rules.check_phone(v, "phone", cmd.phone)
    rules.check_roles(v, list(cmd.roles))
    rules.check_timezone(v, "timezone", cmd.timezone)
    rules.check_language(v, "language", cmd.language)
    v.raise_if_any()


def validate_changes(changes: dict[str, object], min_password: int) -> None:
    unknown = set(changes) - UPDATABLE_USER_FIELDS
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed")
    v = rules.Violations()
    if "email" in changes:
        changes["email"] = rules.normalize_email(str(changes["email"]))
        rules.check_email(v, "email", str(changes["email"]))
    if "password" in changes:
        rules.check_password(v, "password", str(changes["password"]), min_password)
    for name in ("first_name", "last_name", "title"):
        if name in changes:
            rules.check_name(v, name, str(changes[name]), required=False)
    if "phone" in changes:
        rules.check_phone(v, "phone", str(changes["phone"]))
    if "roles" in changes:
        rules.check_roles(v, list(changes["roles"]))  # type: ignore[call-overload]
    if "timezone" in changes:
        rules.check_timezone(v, "timezone", str(changes["timezone"]))
    if "language" in changes:
        rules.check_language(v, "language", str(changes["language"]))
    v.raise_if_any()
