"""Commands about pipelines and deals, already parsed from the wire."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sales.domain.deal_parts import ContactRoleSpec, SplitSpec
from sales.domain.deals import StageSpec

# Fields a client may give on create/update (lead_id is lineage: conversion only).
DEAL_FIELDS = frozenset(
    {
        "name",
        "account_id",
        "amount",
        "currency",
        "pipeline_id",
        "stage_id",
        "probability",
        "close_date",
        "owner_id",
        "lost_reason",
        "tags",
        "custom_fields",
    }
)


@dataclass(frozen=True)
class CreateDeal:
    """``values`` holds only the fields the caller gave (names from ``DEAL_FIELDS``;
    amount a Decimal, ids UUIDs, close_date a date)."""

    values: Mapping[str, Any]
    lead_id: uuid.UUID | None = None

    @classmethod
    def for_conversion(
        cls,
        *,
        name: str,
        account_id: uuid.UUID,
        owner_id: uuid.UUID,
        lead_id: uuid.UUID,
        amount: Decimal | None = None,
        currency: str = "",
        pipeline_id: uuid.UUID | None = None,
    ) -> CreateDeal:
        values: dict[str, Any] = {"name": name, "account_id": account_id, "owner_id": owner_id}
        if amount is not None:
            values["amount"] = amount
        if currency:
            values["currency"] = currency
        if pipeline_id is not None:
            values["pipeline_id"] = pipeline_id
        return cls(values, lead_id)


@dataclass(frozen=True)
class UpdateDeal:
    deal_id: uuid.UUID
    changes: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int = 0


@dataclass(frozen=True)
class SetContactRoles:
    deal_id: uuid.UUID
    roles: Sequence[ContactRoleSpec]
    expected_version: int = 0


@dataclass(frozen=True)
class SetSplits:
    deal_id: uuid.UUID
    splits: Sequence[SplitSpec]
    expected_version: int = 0


@dataclass(frozen=True)
class CreatePipeline:
    name: str
    stages: Sequence[StageSpec]
    is_default: bool = False


@dataclass(frozen=True)
class UpdatePipeline:
    """``None`` for what does not change; is_default can only become True."""

    pipeline_id: uuid.UUID
    name: str | None = None
    stages: Sequence[StageSpec] | None = None
    make_default: bool = False
    expected_version: int = 0


@dataclass(frozen=True)
class BoardQuery:
    pipeline_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    cards_per_column: int = 20
