"""Campaign member statuses: a member only moves forward (targeted < sent <
opened < clicked < responded); bounced and unsubscribed are final."""

from __future__ import annotations

from datetime import datetime
from typing import Any

STATUSES = ("targeted", "sent", "opened", "clicked", "responded", "unsubscribed", "bounced")
ORDER = {"targeted": 0, "sent": 1, "opened": 2, "clicked": 3, "responded": 4}
FINAL = ("unsubscribed", "bounced")
STAMP = {
    "sent": "sent_at", "opened": "opened_at", "clicked": "clicked_at",
    "responded": "responded_at", "bounced": "bounced_at", "unsubscribed": "unsubscribed_at",
}  # fmt: skip


def next_status(current: str, wanted: str) -> str:
    if current in FINAL:
        return current
    if wanted in FINAL:
        return wanted
    return wanted if ORDER.get(wanted, 0) > ORDER.get(current, 0) else current


def advance(member: Any, wanted: str, at: datetime) -> bool:
    """Move ``member`` towards ``wanted`` (stamping the time once); True if it moved."""
    stamp = STAMP.get(wanted)
    if stamp and getattr(member, stamp) is None and member.status not in FINAL:
        setattr(member, stamp, at)
    new = next_status(member.status, wanted)
    moved = new != member.status
    member.status = new
    return moved
