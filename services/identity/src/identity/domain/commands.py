"""Commands identity handles: what a caller asks for, already parsed from the wire."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CreateTenant:
    name: str
    slug: str
    admin_email: str
    admin_password: str
    timezone: str = "UTC"
    currency: str = "USD"


@dataclass(frozen=True)
class IssueToken:
    tenant_slug: str
    email: str
    password: str
    client_ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class RefreshToken:
    refresh_token: str
    client_ip: str = ""


@dataclass(frozen=True)
class Logout:
    refresh_token: str = ""


@dataclass(frozen=True)
class CreateUser:
    email: str
    password: str
    first_name: str = ""
    last_name: str = ""
    roles: list[str] = field(default_factory=lambda: ["user"])
    timezone: str = "UTC"
    language: str = "en"
    role_id: uuid.UUID | None = None
    profile_ids: list[uuid.UUID] = field(default_factory=list)  # empty: Read Only
    phone: str = ""
    title: str = ""

    def given_fields(self) -> set[str]:
        """Fields the caller set (field rules apply to these)."""
        optional = {
            "role_id": self.role_id,
            "profile_ids": self.profile_ids,
            "phone": self.phone,
            "title": self.title,
        }
        return {"email", "password"} | {name for name, value in optional.items() if value}


@dataclass(frozen=True)
class UpdateUser:
    user_id: uuid.UUID
    changes: dict[str, object]  # only the fields the caller sent
    expected_version: int = 0


UPDATABLE_USER_FIELDS = frozenset(
    {
        "email",
        "first_name",
        "last_name",
        "password",
        "active",
        "roles",
        "timezone",
        "language",
        "role_id",
        "profile_ids",
        "phone",
        "title",
    }
)
