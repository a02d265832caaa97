"""The lead's status machine: new -> contacted -> mql -> sql -> converted | lost.

``lost`` is reachable from any open status; ``converted`` only through lead
conversion (a separate use case), never by setting the status. Pure rules, no I/O.
"""

from __future__ import annotations

from crm_common.errors import FailedPrecondition, InvalidArgument

NEW, CONTACTED, MQL, SQL, CONVERTED, LOST = "new", "contacted", "mql", "sql", "converted", "lost"
STATUSES = (NEW, CONTACTED, MQL, SQL, CONVERTED, LOST)
OPEN_STATUSES = (NEW, CONTACTED, MQL, SQL)
CLOSED_STATUSES = (CONVERTED, LOST)

# Forward moves along the funnel (skipping steps is allowed: a lead may qualify
# straight to SQL); moving back is not.
_ORDER = {status: index for index, status in enumerate(OPEN_STATUSES)}


def check_status_name(status: str, field: str = "status") -> str:
    if status not in STATUSES:
        raise InvalidArgument.for_field(field, f"must be one of {', '.join(STATUSES)}")
    return status


def check_initial_status(status: str) -> str:
    """A lead starts open (``new`` unless told otherwise)."""
    status = check_status_name(status or NEW)
    if status not in OPEN_STATUSES:
        raise InvalidArgument.for_field("status", "a new lead starts in an open status")
    return status


def check_transition(current: str, target: str) -> None:
    """Refuse an illegal move with FailedPrecondition (409)."""
    check_status_name(target)
    if current in CLOSED_STATUSES:
        raise FailedPrecondition(f"the lead is {current}; its status cannot change")
    if target == CONVERTED:
        raise FailedPrecondition("a lead becomes converted only through conversion")
    if target == LOST:
        return
    if _ORDER[target] <= _ORDER[current]:
        raise FailedPrecondition(f"a lead cannot move from {current} to {target}")


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES
