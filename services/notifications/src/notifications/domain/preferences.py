"""A user's notification preferences: which channels each notification type uses,
quiet hours and the daily digest. Pure rules (validation, defaults, decisions).

Defaults (no preferences stored, or a type left out):

- ``in_app``: on for every type;
- ``email``: on for the types that ask the user to act (``EMAIL_BY_DEFAULT``:
  assigned, mention, sla_warning, sla_breached, activity_due), off otherwise;
- no quiet hours; digest ``off`` (instant mail), ``digest_hour`` 8.

The known types are ``NOTIFICATION_TYPES`` plus every type the rules table makes
(``domain/rules.py``): the one list a preference may name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time

from crm_common.errors import InvalidArgument
from notifications.domain import rules

BASE_TYPES = (
    "deal_moved",
    "record_updated",
    "assigned",
    "activity_due",
    "mention",
    "sla_warning",
    "sla_breached",
    "stock_low",
    "invoice_overdue",
    "quote_approval",
    "contract_expiring",
    "campaign",
)
EMAIL_BY_DEFAULT = frozenset({"assigned", "mention", "sla_warning", "sla_breached", "activity_due"})
DIGEST_MODES = ("off", "daily")
DEFAULT_DIGEST_HOUR = 8
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def known_types() -> tuple[str, ...]:
    """Every notification type a user may set channels for, sorted."""
    made = {rule.notification_type for rule in rules.RULES}
    return tuple(sorted({*BASE_TYPES, *made}))


@dataclass(frozen=True)
class Channels:
    in_app: bool = True
    email: bool = False


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def text(self) -> tuple[str, str]:
        return self.start.strftime("%H:%M"), self.end.strftime("%H:%M")


@dataclass(frozen=True)
class Preferences:
    # Only the types the user set; others take defaults (``channels_for``).
    channels: dict[str, Channels] = field(default_factory=dict)
    quiet_hours: QuietHours | None = None
    digest: str = "off"
    digest_hour: int = DEFAULT_DIGEST_HOUR

    def channels_for(self, notification_type: str) -> Channels:
        return self.channels.get(notification_type) or default_channels(notification_type)

    def all_channels(self) -> dict[str, Channels]:
        return {t: self.channels_for(t) for t in known_types()}


DEFAULTS = Preferences()


def default_channels(notification_type: str) -> Channels:
    return Channels(in_app=True, email=notification_type in EMAIL_BY_DEFAULT)


def parse_hhmm(value: str, field_name: str) -> time:
    match = _HHMM.match(value.strip())
    if not match:
        raise InvalidArgument.for_field(field_name, "must be a time HH:MM (00:00-23:59)")
    return time(int(match.group(1)), int(match.group(2)))


def build(
    channels: dict[str, tuple[bool, bool]],
    quiet: tuple[str, str] | None,
    digest: str,
    digest_hour: int,
) -> Preferences:
    """Validated preferences from plain values; InvalidArgument names the field."""
    known = set(known_types())
    for name in channels:
        if name not in known:
            raise InvalidArgument.for_field(
                f"channels.{name}", f"unknown notification type; known: {', '.join(sorted(known))}"
            )
    quiet_hours = None
    if quiet is not None:
        start = parse_hhmm(quiet[0], "quiet_hours.start")
        end = parse_hhmm(quiet[1], "quiet_hours.end")
        if start == end:
            raise InvalidArgument.for_field("quiet_hours.end", "must differ from start")
        quiet_hours = QuietHours(start, end)
    digest = digest or "off"
    if digest not in DIGEST_MODES:
        raise InvalidArgument.for_field("digest", "must be off or daily")
    if not 0 <= digest_hour <= 23:
        raise InvalidArgument.for_field("digest_hour", "must be an hour 0-23")
    return Preferences(
        channels={t: Channels(in_app, email) for t, (in_app, email) in sorted(channels.items())},
        quiet_hours=quiet_hours,
        digest=digest,
        digest_hour=digest_hour,
    )
