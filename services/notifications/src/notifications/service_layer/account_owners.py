"""Keeps ``account_owners`` (who owns each sales account) from sales' account
events, inside the rules consumer's transaction: an event the inbox saw before
is dropped, and an older event than the stored one changes nothing.

Only the owner is kept (no names, no contact details). The consumer starts from
"now" on its first deploy, so accounts no event has mentioned since are unknown
until their next change: their overdue invoices notify nobody until then.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC

from crm.common.v1 import events_pb2 as common_events
from crm.sales.v1 import events_pb2
from notifications.adapters.orm_read_models import AccountOwner, AccountOwners

LIVE = ("crm.sales.account.created", "crm.sales.account.updated", "crm.sales.account.restored")
DELETED = "crm.sales.account.deleted"
SUBJECTS = (*LIVE, DELETED)
log = logging.getLogger("notifications.read_models")


async def track(owners: AccountOwners, envelope: common_events.Envelope) -> bool:
    """Apply one account event; whether the stored owner changed."""
    account = events_pb2.AccountChanged()
    if envelope.type not in SUBJECTS or not envelope.payload.Unpack(account):
        return False
    try:
        account_id = uuid.UUID(account.account_id or envelope.subject_id)
        owner_id = uuid.UUID(account.owner_id) if account.owner_id else None
    except ValueError:
        log.warning("%s %s names no account or owner: ignored", envelope.type, envelope.id)
        return False
    change = AccountOwner(
        account_id, owner_id, deleted=envelope.type == DELETED,
        changed_at=envelope.time.ToDatetime(tzinfo=UTC),
    )  # fmt: skip
    return await owners.record(change)
