"""Who a rule's audience is for one event: one small function per audience.

Each takes what the event says (``Facts``, read from its payload by the
consumer) and where to look people up (``Lookups``: followers and account owners
in notifications' own tables, identity's directory), and returns user ids; the
actor is left out by the caller (``people_to_tell``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from notifications.domain import rules
from notifications.domain.rules import OrgChart, Rule

# What the stock-low and quote rules ask identity for (module, action).
STOCK_EDITORS = ("stock", "edit")
QUOTE_EDITORS = ("quotes", "edit")
ADMINISTRATORS = ("*", "*")  # profiles granting everything: sales' "all records"


@dataclass(frozen=True)
class Facts:
    """What an event says, whatever its payload: the record it is about, the people
    it names, and details for the text (number, subject, sku, target)."""

    record_id: str
    actor_id: str = ""
    owner_id: str = ""
    changed: tuple[str, ...] = ()
    mentioned: tuple[str, ...] = ()
    group_id: str = ""
    escalation_group_id: str = ""
    manager_id: str = ""
    account_id: str = ""
    details: Mapping[str, str] = field(default_factory=dict)


class Directory(Protocol):
    """Identity's answers for one tenant (``adapters/audience_directory.py``)."""

    async def group_users(self, tenant_id: uuid.UUID, group_id: str) -> list[str]: ...

    async def users_with_permission(
        self, tenant_id: uuid.UUID, module: str, action: str
    ) -> list[str]: ...

    async def org_chart(self, tenant_id: uuid.UUID) -> OrgChart: ...


class LocalRecords(Protocol):
    """Notifications' own tables."""

    async def followers(self, record_type: str, record_id: uuid.UUID) -> list[str]: ...

    async def account_owner(self, account_id: uuid.UUID) -> str | None: ...


@dataclass(frozen=True)
class Lookups:
    tenant_id: uuid.UUID
    local: LocalRecords
    directory: Directory | None  # None: rules that need identity cannot run

    def identity(self) -> Directory:
        if self.directory is None:
            raise RuntimeError("this rule needs identity's directory, and none was given")
        return self.directory


Audience = Callable[[Rule, Facts, Lookups], Awaitable[list[str]]]


async def followers(rule: Rule, facts: Facts, look: Lookups) -> list[str]:
    return await look.local.followers(rule.record_type, uuid.UUID(facts.record_id))


async def owner(rule: Rule, facts: Facts, look: Lookups) -> list[str]:
    user = rules.owner_recipient(rule, facts.owner_id, facts.actor_id, list(facts.changed))
    return [user] if user else []


async def mentioned(rule: Rule, facts: Facts, look: Lookups) -> list[str]:
    return list(facts.mentioned)


async def case_team(rule: Rule, facts: Facts, look: Lookups) -> list[str]:
    """The case's owner, then the members of the case's group."""
    return [facts.owner_id, *await _group(look, facts.group_id)]


async def escalation(rule: Rule, facts: Facts, look: Lookups) -> list[str]:
    """The members of the escalation group, then the owner's manager."""
    return [*await _group(look, facts.escalation_group_id), facts.manager_id]


async def stock_managers(rule: Rule, facts: Facts, look: Lookups) -> list[str]:
    return await look.identity().users_with_permission(look.tenant_id, *STOCK_EDITORS)


async def account_owner(rule: Rule, facts: Facts, look: Lookups) -> list[str]:
    account = _uuid(facts.account_id)
    user = await look.local.account_owner(account) if account else None
    return [user] if user else []


async def quote_approvers(rule: Rule, facts: Facts, look: Lookups) -> list[str]:
    if not facts.owner_id:
        return []
    directory = look.identity()
    editors = await directory.users_with_permission(look.tenant_id, *QUOTE_EDITORS)
    admins = await directory.users_with_permission(look.tenant_id, *ADMINISTRATORS)
    chart = await directory.org_chart(look.tenant_id)
    return rules.quote_approvers(facts.owner_id, editors, admins, chart)


AUDIENCES: dict[str, Audience] = {
    rules.FOLLOWERS: followers,
    rules.OWNER: owner,
    rules.MENTIONED: mentioned,
    rules.CASE_TEAM: case_team,
    rules.ESCALATION: escalation,
    rules.STOCK_MANAGERS: stock_managers,
    rules.ACCOUNT_OWNER: account_owner,
    rules.QUOTE_APPROVERS: quote_approvers,
}


async def recipients(rule: Rule, facts: Facts, look: Lookups) -> list[str]:
    """The rule's audience for this event: each user once, never the actor."""
    people = await AUDIENCES[rule.audience](rule, facts, look)
    return rules.people_to_tell(people, facts.actor_id)


async def _group(look: Lookups, group_id: str) -> list[str]:
    if not _uuid(group_id):
        return []
    return await look.identity().group_users(look.tenant_id, group_id)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
