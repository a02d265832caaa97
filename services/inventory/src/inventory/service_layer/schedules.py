"""What subscription and recurring invoice handlers share: loading a record to
change it, and the schedule fields both have."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from crm_common.errors import VersionConflict
from inventory.adapters.subscription_repository import NAMES, Row, ScheduleRepository
from inventory.domain import invoices as invoice_rules
from inventory.domain import subscriptions as rules

SCHEDULE_FIELDS = frozenset({"end_date", "auto_renew", "invoice_mode", "payment_terms_days"})


def today() -> date:
    return datetime.now(UTC).date()


def terms(days: int | None) -> int:
    """Payment terms of the invoices made (default 30 days)."""
    return invoice_rules.check_terms(invoice_rules.DEFAULT_TERMS_DAYS if days is None else days)


async def changeable(
    repo: ScheduleRepository, row_type: type[Row], record_id: uuid.UUID, expected_version: int
) -> Row:
    """The record locked (a generator run on it finishes first), at the expected
    version, and still active."""
    row = await repo.one(row_type, record_id, for_update=True)
    if expected_version and expected_version != row.version:
        raise VersionConflict(f"{NAMES[row_type]} is at version {row.version}")
    rules.require_open(row.status, NAMES[row_type])
    return row


def apply_schedule_changes(row: Row, changes: Mapping[str, Any]) -> None:
    """End date, renewal, invoice mode, payment terms: for periods not yet billed."""
    if "end_date" in changes or "auto_renew" in changes:
        end = changes.get("end_date", row.end_date)
        rules.change_term(row, end, bool(changes.get("auto_renew", row.auto_renew)))
    if "invoice_mode" in changes:
        row.invoice_mode = rules.check_mode(changes["invoice_mode"])
    if "payment_terms_days" in changes:
        row.payment_terms_days = terms(changes["payment_terms_days"])
