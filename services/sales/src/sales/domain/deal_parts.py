"""Rules of what hangs off a deal: contact roles and commission splits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from crm_common.errors import InvalidArgument

CONTACT_ROLES = (
    "decision_maker",
    "economic_buyer",
    "influencer",
    "technical_buyer",
    "champion",
    "end_user",
    "evaluator",
    "other",
)
MAX_CONTACT_ROLES = MAX_SPLITS = 50
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ContactRoleSpec:
    contact_id: uuid.UUID
    role: str
    is_primary: bool = False


@dataclass(frozen=True)
class SplitSpec:
    user_id: uuid.UUID
    percent: Decimal


def validate_contact_roles(roles: Sequence[ContactRoleSpec]) -> None:
    field = "contact_roles"
    if len(roles) > MAX_CONTACT_ROLES:
        raise InvalidArgument.for_field(field, f"at most {MAX_CONTACT_ROLES} contacts")
    for i, spec in enumerate(roles):
        if spec.role not in CONTACT_ROLES:
            raise InvalidArgument.for_field(
                f"{field}[{i}].role", f"must be one of {', '.join(CONTACT_ROLES)}"
            )
    if len({r.contact_id for r in roles}) != len(roles):
        raise InvalidArgument.for_field(field, "a contact appears twice")
    if sum(r.is_primary for r in roles) > 1:
        raise InvalidArgument.for_field(field, "at most one primary contact")


def validate_splits(splits: Sequence[SplitSpec]) -> None:
    """Empty, or positive percentages with at most two decimals summing to exactly 100."""
    field = "splits"
    if len(splits) > MAX_SPLITS:
        raise InvalidArgument.for_field(field, f"at most {MAX_SPLITS} participants")
    for i, split in enumerate(splits):
        if not (0 < split.percent <= HUNDRED) or split.percent != split.percent.quantize(CENT):
            raise InvalidArgument.for_field(
                f"{field}[{i}].percent", "must be above 0 and at most 100, with two decimals"
            )
    if len({s.user_id for s in splits}) != len(splits):
        raise InvalidArgument.for_field(field, "a user appears twice")
    if splits and sum((s.percent for s in splits), Decimal(0)) != HUNDRED:
        raise InvalidArgument.for_field(field, "percentages must sum to exactly 100")
