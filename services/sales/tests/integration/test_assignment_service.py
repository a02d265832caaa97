"""Lead assignment rules against real PostgreSQL (identity's groups faked):
admin-only management, validation, first matching rule wins, round robin exactly
fair under 50 concurrent creates, least loaded, unusable targets skipped."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections import Counter

import pytest

from crm_common.access import AccessContext
from crm_common.errors import InvalidArgument, NotFound, PermissionDenied
from sales.domain.assignment import Condition, RuleSpec, Target, least_loaded
from sales.domain.commands import CreateLead
from sales.service_layer import assignment_rules, leads
from sales.service_layer.assignment_rules import UpdateRule
from sales.service_layer.deps import SalesDeps

ALL = frozenset({"view", "create", "edit", "delete"})


class FakeGroups:
    def __init__(self, groups: dict[uuid.UUID, list[uuid.UUID]], users: set[uuid.UUID]) -> None:
        self.groups, self.users = groups, users

    async def group_users(self, group_id: uuid.UUID) -> list[uuid.UUID] | None:
        found = self.groups.get(group_id)
        return None if found is None else sorted(found)

    async def active_user_ids(self) -> set[uuid.UUID]:
        return set(self.users)


class Org:
    def __init__(self, deps: SalesDeps, team_size: int = 5) -> None:
        self.tenant = str(uuid.uuid4())
        self.admin_id = uuid.uuid4()
        self.team = sorted(uuid.uuid4() for _ in range(team_size))
        self.group = uuid.uuid4()
        self.empty_group = uuid.uuid4()
        self.fake = FakeGroups(
            {self.group: self.team, self.empty_group: []}, {self.admin_id, *self.team}
        )
        self.deps = dataclasses.replace(deps, groups=self.fake)

    def admin(self) -> AccessContext:
        return AccessContext(
            tenant_id=self.tenant,
            user_id=str(self.admin_id),
            all_records=True,
            permissions={"leads": ALL},
        )

    def rep(self) -> AccessContext:
        return AccessContext(
            tenant_id=self.tenant,
            user_id=str(self.team[0]),
            permissions={"leads": frozenset({"view", "create", "edit"})},
            defaults={"leads": "private"},
            own_ids=frozenset({str(self.team[0])}),
        )

    async def rule(self, target: Target, *conditions: Condition, position: int = 0) -> uuid.UUID:
        spec = RuleSpec(f"r-{uuid.uuid4().hex[:6]}", target, position, True, list(conditions))
        return (await assignment_rules.create_rule(spec, self.admin(), self.deps)).id

    async def lead_owner(self, ctx: AccessContext | None = None, **values: object) -> uuid.UUID:
        cmd = CreateLead({"last_name": f"L-{uuid.uuid4().hex[:8]}", **values})
        created, _ = await leads.create_lead(cmd, ctx or self.rep(), self.deps)
        return created.row.owner_id


async def test_only_admins_manage_rules_and_bad_rules_are_named(deps: SalesDeps) -> None:
    org = Org(deps)
    target = Target("round_robin", group_id=org.group)
    with pytest.raises(PermissionDenied):
        await assignment_rules.create_rule(RuleSpec("x", target), org.rep(), org.deps)
    cases = [
        (RuleSpec("", target), "name"),
        (RuleSpec("x", Target("round_robin")), "target.group_id"),
        (RuleSpec("x", Target("user", user_id=uuid.uuid4())), "target.user_id"),
        (RuleSpec("x", Target("least_loaded", group_id=uuid.uuid4())), "target.group_id"),
        (RuleSpec("x", target, conditions=[Condition("title", "gt", "5")]), "conditions[0]"),
        (RuleSpec("x", target, conditions=[Condition("score", "in", "5")]), "conditions[0]"),
        (RuleSpec("x", target, conditions=[Condition("color", "equals", "x")]), "conditions[0]"),
    ]
    for spec, field in cases:
        with pytest.raises(InvalidArgument) as caught:
            await assignment_rules.create_rule(spec, org.admin(), org.deps)
        assert [v.field for v in caught.value.violations] == [field]
    rule_id = await org.rule(target)
    changed = await assignment_rules.update_rule(
        UpdateRule(rule_id, {"active": False, "position": 3}, 1), org.admin(), org.deps
    )
    assert (changed.active, changed.position, changed.version) == (False, 3, 2)
    other = Org(deps)
    with pytest.raises(NotFound):
        await assignment_rules.get_rule(rule_id, other.admin(), other.deps)
    await assignment_rules.delete_rule(rule_id, org.admin(), org.deps)
    with pytest.raises(NotFound):
        await assignment_rules.get_rule(rule_id, org.admin(), org.deps)


async def test_first_matching_rule_wins_and_unusable_targets_are_skipped(
    deps: SalesDeps,
) -> None:
    org = Org(deps)
    web = Condition("source", "equals", "WEB")
    await org.rule(Target("round_robin", group_id=org.empty_group), web, position=0)
    await org.rule(Target("user", user_id=org.team[3]), web, position=1)
    await org.rule(Target("user", user_id=org.team[4]), web, position=2)
    big = (Condition("score", "gte", "50"), Condition("tag", "in", ["vip", "gold"]))
    await org.rule(Target("user", user_id=org.team[2]), *big, position=5)
    assert await org.lead_owner(source="web") == org.team[3]
    assert await org.lead_owner(score=70, tags=["Gold"]) == org.team[2]
    assert await org.lead_owner(score=40, tags=["gold"]) == org.team[0]  # no rule: the caller
    org.fake.users.discard(org.team[3])  # no longer active: the next rule decides
    assert await org.lead_owner(source="Web") == org.team[4]
    given = await org.lead_owner(source="web", owner_id=org.team[1], ctx=org.admin())
    assert given == org.team[1]  # an owner given is kept


async def test_round_robin_is_exactly_fair_under_concurrent_creates(deps: SalesDeps) -> None:
    org = Org(deps)
    await org.rule(Target("round_robin", group_id=org.group))
    owners = await asyncio.gather(*(org.lead_owner() for _ in range(50)))
    assert Counter(owners) == dict.fromkeys(org.team, 10)


async def test_least_loaded_picks_the_emptiest(deps: SalesDeps) -> None:
    org = Org(deps, team_size=3)
    busy, idle, middle = org.team
    for owner, count in ((busy, 3), (middle, 1)):
        for _ in range(count):
            await org.lead_owner(ctx=org.admin(), owner_id=owner)
    await org.rule(Target("least_loaded", group_id=org.group))
    owners = await asyncio.gather(*(org.lead_owner() for _ in range(6)))
    expected, loads = Counter(), {busy: 3, idle: 0, middle: 1}
    for _ in range(6):  # one at a time: fewest open leads, ties to the smallest id
        pick = least_loaded(org.team, loads)
        loads[pick] += 1
        expected[pick] += 1
    assert Counter(owners) == expected and expected[idle] >= 3
