"""Which events notify whom: one table, read top to bottom.

A rule names the event type, who hears of it (the audience) and the plain-English
text. Nobody is told of their own action: the event's actor is always left out.
Pure: the service layer (``service_layer/audiences.py``) finds the audience's
people and stores the notifications.

Audiences:
- ``followers``: the users following the record;
- ``owner``: the record's owner (on an update only when the owner changed);
- ``mentioned``: the users a comment mentions;
- ``case_team``: the case's owner and the members of the case's group;
- ``escalation``: the members of the escalation group and the owner's manager;
- ``stock_managers``: the users allowed to edit stock;
- ``account_owner``: the owner of the record's account (notifications' own copy);
- ``quote_approvers``: who may decide the quote's approval (above its owner).

Titles and bodies may name the record: ``{number}``, ``{subject}``, ``{sku}``
are filled from the event (empty when it has none).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FOLLOWERS = "followers"
OWNER = "owner"
MENTIONED = "mentioned"
CASE_TEAM = "case_team"
ESCALATION = "escalation"
STOCK_MANAGERS = "stock_managers"
ACCOUNT_OWNER = "account_owner"
QUOTE_APPROVERS = "quote_approvers"
AUDIENCES = (
    FOLLOWERS, OWNER, MENTIONED, CASE_TEAM, ESCALATION, STOCK_MANAGERS, ACCOUNT_OWNER,
    QUOTE_APPROVERS,
)  # fmt: skip
RECORD_TYPES = ("lead", "account", "contact", "deal")
TITLE_MAX = 200  # the notifications.title column


@dataclass(frozen=True)
class Rule:
    event_type: str
    audience: str  # one of AUDIENCES
    notification_type: str
    title: str  # may name the record: {number}, {subject}, {sku}
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


def _sla(verb: str, audience: str, text: str, body: str) -> Rule:
    return Rule(
        f"crm.support.sla.{verb}", audience, f"sla_{verb}", f"Case {{number}}: {text}",
        body, "case",
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
    Rule(
        "crm.sales.quote.approval_requested", QUOTE_APPROVERS, "quote_approval",
        "Quote {number} needs your approval",
        "A quote's discount is above the threshold; approve or reject it.", "quote",
    ),
    Rule(
        "crm.support.case.commented", MENTIONED, "mention", "You were mentioned on case {number}",
        "Someone mentioned you in a comment on case {number}: {subject}", "case",
    ),
    Rule(
        "crm.support.case.assigned", OWNER, "assigned", "Case {number} was assigned to you",
        "Case {number} is yours now: {subject}", "case",
    ),
    _sla("warning", CASE_TEAM, "SLA due soon", "The {target} target of case {number} is near."),
    _sla("breached", CASE_TEAM, "SLA breached", "Case {number} missed its {target} target."),
    _sla(
        "escalated", ESCALATION, "SLA escalated",
        "Case {number} missed its {target} target and was escalated to you.",
    ),
    Rule(
        "crm.inventory.stock.low", STOCK_MANAGERS, "stock_low", "Stock of {sku} is low",
        "Available stock of {sku} fell below its reorder level.", "product",
    ),
    Rule(
        "crm.inventory.invoice.overdue", ACCOUNT_OWNER, "invoice_overdue",
        "Invoice {number} is overdue",
        "An invoice of an account you own is past its due date.", "invoice",
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


def people_to_tell(people: list[str], actor_id: str) -> list[str]:
    """Each person once, in first-named order; never the actor, never nobody ("")."""
    return [user for user in dict.fromkeys(people) if user and user != actor_id]


@dataclass(frozen=True)
class OrgChart:
    """The role tree (role -> parent role, "" at the root) and each active user's role."""

    parents: Mapping[str, str]
    role_of: Mapping[str, str]

    def roles_above(self, user_id: str) -> set[str]:
        """The roles strictly above the user's role (none for a user without one)."""
        above: set[str] = set()
        role = self.parents.get(self.role_of.get(user_id, ""), "")
        while role and role not in above and len(above) < len(self.parents):
            above.add(role)
            role = self.parents.get(role, "")
        return above


def quote_approvers(
    owner_id: str, editors: list[str], administrators: list[str], chart: OrgChart
) -> list[str]:
    """Who may decide a quote's approval, as sales decides it: an administrator,
    or a user who may edit quotes and whose role lies above the owner's role."""
    above = chart.roles_above(owner_id)
    managers = [user for user in editors if chart.role_of.get(user, "") in above]
    return [user for user in dict.fromkeys([*managers, *administrators]) if user != owner_id]


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def text(template: str, details: Mapping[str, str], limit: int | None = None) -> str:
    """``template`` with the event's details filled in (unknown ones blank)."""
    filled = " ".join(template.format_map(_Blank(details)).split())
    return filled[: limit - 1] + "…" if limit and len(filled) > limit else filled
