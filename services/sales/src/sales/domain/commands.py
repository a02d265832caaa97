"""Commands sales handles: what a caller asks for, already parsed from the wire."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Fields a client may write on create/update (status moves through ChangeLeadStatus).
LEAD_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "title",
        "industry",
        "source",
        "score",
        "owner_id",
        "tags",
        "custom_fields",
    }
)


@dataclass(frozen=True)
class CreateLead:
    """``values`` holds the fields the caller gave (names from ``LEAD_FIELDS``)."""

    values: Mapping[str, Any]
    status: str = ""
    reject_duplicates: bool = False

    def given_fields(self) -> list[str]:
        return sorted(self.values) + (["status"] if self.status else [])


@dataclass(frozen=True)
class UpdateLead:
    lead_id: uuid.UUID
    changes: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int = 0


@dataclass(frozen=True)
class ChangeLeadStatus:
    lead_id: uuid.UUID
    status: str
    reason: str = ""
    expected_version: int = 0


@dataclass(frozen=True)
class DeleteLead:
    lead_id: uuid.UUID
    expected_version: int = 0


ACCOUNT_FIELDS = frozenset(
    {
        "name",
        "website",
        "industry",
        "phone",
        "billing_address",
        "shipping_address",
        "parent_id",
        "owner_id",
        "tags",
        "custom_fields",
        "external_id",
    }
)
CONTACT_FIELDS = frozenset(
    {
        "account_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "title",
        "owner_id",
        "tags",
        "custom_fields",
        "external_id",
    }
)


@dataclass(frozen=True)
class CreateRecord:
    """Create an account or a contact: ``values`` holds only the fields given."""

    values: Mapping[str, Any]


@dataclass(frozen=True)
class UpdateRecord:
    record_id: uuid.UUID
    changes: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int = 0


@dataclass(frozen=True)
class DeleteRecord:
    record_id: uuid.UUID
    expected_version: int = 0
