"""Which events notify whom: one table, read top to bottom.

A rule names the event type, who hears of it (the record's followers, or the
record's owner) and the plain-English text. Nobody is told of their own action:
the event's actor is always left out. Pure: the service layer looks followers up
and stores the notifications.
"""

from __future__ import annotations

from dataclasses import dataclass

FOLLOWERS = "followers"
OWNER = "owner"
RECORD_TYPES = ("lead", "account", "contact", "deal")


@dataclass(frozen=True)
class Rule:
    event_type: str
    audience: str  # FOLLOWERS or OWNER
    notification_type: str
    title: str  # formatted with record (e.g. "deal")
    body: str
    record_type: str
    # OWNER rules on an update fire only when the owner changed (a reassignment).
    owner_change_only: bool = False


def _followed_update(record: str) -> Rule:
    return Rule(
        f"crm.sales.{record}.updated", FOLLOWERS, "record_updated",
        f"A {record} you follow was updated",
        f"Someone changed a {record} you follow.", record,
    )  # fmt: skip


def _deal_moved(verb: str, text: str) -> Rule:
    return Rule(
        f"crm.sales.deal.{verb}", FOLLOWERS, "deal_moved", f"A deal you follow {text}",
        f"A deal you follow {text}.", "deal",
    )  # fmt: skip


RULES: tuple[Rule, ...] = (
    _deal_moved("stage_changed", "moved to another stage"),
    _deal_moved("won", "was won"),
    _deal_moved("lost", "was lost"),
    *(_followed_update(record) for record in RECORD_TYPES),
    Rule(
        "crm.sales.lead.created", OWNER, "assigned", "A lead was assigned to you",
        "A new lead was created with you as its owner.", "lead",
    ),
    Rule(
        "crm.sales.lead.updated", OWNER, "assigned", "A lead was assigned to you",
        "A lead was reassigned to you.", "lead", owner_change_only=True,
    ),
    Rule(
        "crm.sales.activity.due", OWNER, "activity_due", "An activity of yours is due",
        "An activity you own is due.", "activity",
    ),
)  # fmt: skip

SUBJECTS: list[str] = sorted({rule.event_type for rule in RULES})


def rules_for(event_type: str) -> list[Rule]:
    return [rule for rule in RULES if rule.event_type == event_type]


def owner_recipient(rule: Rule, owner_id: str, actor_id: str, changed: list[str]) -> str | None:
    """The owner to tell, or None: not the actor, and on updates only a new owner."""
    if not owner_id or owner_id == actor_id:
        return None
    if rule.owner_change_only and "owner_id" not in changed:
        return None
    return owner_id


def followers_to_tell(followers: list[str], actor_id: str) -> list[str]:
    return [user for user in followers if user != actor_id]
