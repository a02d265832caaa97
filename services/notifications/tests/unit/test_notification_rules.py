"""The rules table and the audience functions: who hears of which event (no I/O:
identity and notifications' tables are fakes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
from google.protobuf.message import Message

from crm.common.v1 import events_pb2 as common_events
from crm.inventory.v1 import billing_pb2, stock_pb2
from crm.sales.v1 import quotes_pb2
from crm.support.v1 import events_pb2 as support_events
from notifications.domain import rules
from notifications.domain.rules import OrgChart
from notifications.service_layer import audiences, events
from notifications.service_layer.audiences import Facts, Lookups


def test_deal_moves_reach_followers() -> None:
    for verb in ("stage_changed", "won", "lost"):
        (rule,) = rules.rules_for(f"crm.sales.deal.{verb}")
        assert rule.audience == rules.FOLLOWERS
        assert rule.notification_type == "deal_moved"


def test_every_followable_record_update_reaches_followers() -> None:
    for record in rules.RECORD_TYPES:
        audiences = {r.audience for r in rules.rules_for(f"crm.sales.{record}.updated")}
        assert rules.FOLLOWERS in audiences


def test_the_actor_is_never_told_of_their_own_action() -> None:
    assert rules.followers_to_tell(["a", "b"], "a") == ["b"]
    (created,) = rules.rules_for("crm.sales.lead.created")
    assert rules.owner_recipient(created, "a", "a", []) is None
    assert rules.owner_recipient(created, "b", "a", []) == "b"


def test_an_update_tells_the_owner_only_when_reassigned() -> None:
    owner_rule = next(
        r for r in rules.rules_for("crm.sales.lead.updated") if r.audience == rules.OWNER
    )
    assert rules.owner_recipient(owner_rule, "b", "a", ["name"]) is None
    assert rules.owner_recipient(owner_rule, "b", "a", ["owner_id"]) == "b"


def test_unknown_events_match_no_rule() -> None:
    assert rules.rules_for("crm.sales.quote.sent") == []
    assert "crm.sales.activity.due" in rules.SUBJECTS


# ---- the rules added for support, inventory and quotes ----

TENANT = uuid.uuid4()
OWNER, ACTOR, MANAGER, ADMIN, PEER, AGENT = (str(uuid.uuid4()) for _ in range(6))
GROUP, ESCALATION_GROUP, ACCOUNT = (str(uuid.uuid4()) for _ in range(3))


@dataclass
class FakeDirectory:
    groups: dict[str, list[str]] = field(default_factory=dict)
    permissions: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    chart: OrgChart = field(default_factory=lambda: OrgChart({}, {}))
    asked: list[tuple[object, ...]] = field(default_factory=list)

    async def group_users(self, tenant_id: uuid.UUID, group_id: str) -> list[str]:
        self.asked.append(("group", tenant_id, group_id))
        return self.groups.get(group_id, [])

    async def users_with_permission(
        self, tenant_id: uuid.UUID, module: str, action: str
    ) -> list[str]:
        self.asked.append(("permission", tenant_id, module, action))
        return self.permissions.get((module, action), [])

    async def org_chart(self, tenant_id: uuid.UUID) -> OrgChart:
        self.asked.append(("chart", tenant_id))
        return self.chart


@dataclass
class FakeLocal:
    owners: dict[uuid.UUID, str] = field(default_factory=dict)

    async def followers(self, record_type: str, record_id: uuid.UUID) -> list[str]:
        return []

    async def account_owner(self, account_id: uuid.UUID) -> str | None:
        return self.owners.get(account_id)


def envelope(subject: str, payload: Message, actor: str = ACTOR) -> common_events.Envelope:
    env = common_events.Envelope(
        id=str(uuid.uuid4()), type=subject, tenant_id=str(TENANT),
        subject_id=str(uuid.uuid4()), actor_id=actor,
    )  # fmt: skip
    env.payload.Pack(payload)
    return env


async def told(
    env: common_events.Envelope,
    directory: FakeDirectory | None = None,
    local: FakeLocal | None = None,
) -> dict[str, list[str]]:
    """notification type -> the users told, for every rule of the event."""
    facts = events.facts_of(env)
    look = Lookups(TENANT, local or FakeLocal(), directory or FakeDirectory())
    return {
        rule.notification_type: await audiences.recipients(rule, facts, look)
        for rule in rules.rules_for(env.type)
    }


def test_one_row_per_event_and_audience_with_a_known_audience() -> None:
    pairs = [(rule.event_type, rule.audience) for rule in rules.RULES]
    assert len(pairs) == len(set(pairs))
    assert {rule.audience for rule in rules.RULES} == set(rules.AUDIENCES)
    assert set(audiences.AUDIENCES) == set(rules.AUDIENCES)
    for subject in (
        "crm.support.case.commented", "crm.support.case.assigned", "crm.support.sla.warning",
        "crm.support.sla.breached", "crm.support.sla.escalated", "crm.inventory.stock.low",
        "crm.inventory.invoice.overdue", "crm.sales.quote.approval_requested",
    ):  # fmt: skip
        assert subject in events.SUBJECTS
    # The account owners read model rides on the same consumer.
    assert {"crm.sales.account.created", "crm.sales.account.deleted"} <= set(events.SUBJECTS)


async def test_mentions_tell_each_mentioned_user_once_but_not_the_author() -> None:
    comment = support_events.CaseCommented(
        case_id=str(uuid.uuid4()), number="CS-1", author_id=ACTOR,
        mentioned_user_ids=[PEER, ACTOR, PEER, "", OWNER],
    )  # fmt: skip
    env = envelope("crm.support.case.commented", comment)
    assert await told(env) == {"mention": [PEER, OWNER]}
    assert events.facts_of(env).record_id == comment.case_id  # the case, not the comment


async def test_a_case_assigned_tells_its_new_owner_unless_they_took_it() -> None:
    case = support_events.CaseChanged(case_id=str(uuid.uuid4()), number="CS-2", owner_id=OWNER)
    assert await told(envelope("crm.support.case.assigned", case)) == {"assigned": [OWNER]}
    assert await told(envelope("crm.support.case.assigned", case, actor=OWNER)) == {"assigned": []}
    unassigned = support_events.CaseChanged(case_id=case.case_id, owner_id="")
    assert await told(envelope("crm.support.case.assigned", unassigned)) == {"assigned": []}
    (rule,) = rules.rules_for("crm.support.case.assigned")
    assert rule.record_type == "case"


@pytest.mark.parametrize("verb", ["warning", "breached"])
async def test_sla_warnings_and_breaches_tell_the_owner_and_the_case_group(verb: str) -> None:
    directory = FakeDirectory(groups={GROUP: [AGENT, OWNER, PEER]})
    sla = support_events.SlaEvent(
        case_id=str(uuid.uuid4()), number="CS-3", owner_id=OWNER, group_id=GROUP,
        target="first_response",
    )  # fmt: skip
    got = await told(envelope(f"crm.support.sla.{verb}", sla, actor=""), directory)
    assert got == {f"sla_{verb}": [OWNER, AGENT, PEER]}
    assert directory.asked == [("group", TENANT, GROUP)]


async def test_an_sla_without_owner_or_group_tells_whoever_is_named() -> None:
    directory = FakeDirectory()
    sla = support_events.SlaEvent(case_id=str(uuid.uuid4()), group_id="not-a-uuid")
    assert await told(envelope("crm.support.sla.breached", sla, actor=""), directory) == {
        "sla_breached": []
    }
    assert directory.asked == []  # an id that is no uuid is not asked about


async def test_an_escalation_tells_the_escalation_group_and_the_manager() -> None:
    directory = FakeDirectory(groups={ESCALATION_GROUP: [AGENT, MANAGER], GROUP: [PEER]})
    sla = support_events.SlaEvent(
        case_id=str(uuid.uuid4()), owner_id=OWNER, group_id=GROUP,
        escalation_group_id=ESCALATION_GROUP, manager_id=MANAGER, escalation_level=1,
    )  # fmt: skip
    got = await told(envelope("crm.support.sla.escalated", sla, actor=""), directory)
    assert got == {"sla_escalated": [AGENT, MANAGER]}


async def test_stock_low_tells_who_may_edit_stock() -> None:
    directory = FakeDirectory(permissions={("stock", "edit"): [ADMIN, AGENT]})
    low = stock_pb2.StockLow(product_id=str(uuid.uuid4()), sku="ROUTER-1", available="2")
    env = envelope("crm.inventory.stock.low", low, actor="")
    assert await told(env, directory) == {"stock_low": [ADMIN, AGENT]}
    (rule,) = rules.rules_for("crm.inventory.stock.low")
    assert rules.text(rule.title, events.facts_of(env).details) == "Stock of ROUTER-1 is low"


async def test_an_overdue_invoice_tells_the_owner_of_its_account() -> None:
    invoice = billing_pb2.InvoiceEvent(
        invoice_id=str(uuid.uuid4()), number="INV-7", account_id=ACCOUNT, status="overdue"
    )
    local = FakeLocal(owners={uuid.UUID(ACCOUNT): OWNER})
    env = envelope("crm.inventory.invoice.overdue", invoice, actor="")
    assert await told(env, local=local) == {"invoice_overdue": [OWNER]}
    assert await told(env, local=FakeLocal()) == {"invoice_overdue": []}  # unknown account
    assert events.facts_of(env).record_id == invoice.invoice_id


def _org() -> OrgChart:
    """root > manager role > rep role; ADMIN at the root, PEER beside OWNER."""
    return OrgChart(
        parents={"root": "", "managers": "root", "reps": "managers"},
        role_of={ADMIN: "root", MANAGER: "managers", OWNER: "reps", PEER: "reps", AGENT: ""},
    )


def test_quote_approvers_are_above_the_owner_and_may_edit_quotes_or_administrators() -> None:
    chart = _org()
    assert chart.roles_above(OWNER) == {"managers", "root"}
    editors = [MANAGER, PEER, OWNER, AGENT]
    assert rules.quote_approvers(OWNER, editors, [ADMIN], chart) == [MANAGER, ADMIN]
    assert rules.quote_approvers(OWNER, [PEER], [], chart) == []  # a peer may not decide
    # An administrator's own quote: nobody is above, other administrators are.
    other_admin = str(uuid.uuid4())
    assert rules.quote_approvers(ADMIN, editors, [ADMIN, other_admin], chart) == [other_admin]
    # A broken tree (a cycle) still ends.
    looped = OrgChart(parents={"a": "b", "b": "a"}, role_of={OWNER: "a"})
    assert looped.roles_above(OWNER) == {"a", "b"}


async def test_a_quote_approval_request_tells_the_approvers_not_the_requester() -> None:
    directory = FakeDirectory(
        permissions={("quotes", "edit"): [MANAGER, PEER, OWNER], ("*", "*"): [ADMIN]},
        chart=_org(),
    )
    quote = quotes_pb2.QuoteEvent(
        quote_id=str(uuid.uuid4()), number="Q-9", owner_id=OWNER, approval_status="pending"
    )
    env = envelope("crm.sales.quote.approval_requested", quote, actor=MANAGER)
    assert await told(env, directory) == {"quote_approval": [ADMIN]}  # the manager asked
    env = envelope("crm.sales.quote.approval_requested", quote, actor=OWNER)
    assert await told(env, directory) == {"quote_approval": [MANAGER, ADMIN]}


async def test_rules_needing_identity_fail_loudly_without_it() -> None:
    low = stock_pb2.StockLow(product_id=str(uuid.uuid4()))
    facts = events.facts_of(envelope("crm.inventory.stock.low", low))
    (rule,) = rules.rules_for("crm.inventory.stock.low")
    with pytest.raises(RuntimeError):
        await audiences.recipients(rule, facts, Lookups(TENANT, FakeLocal(), None))


def test_texts_name_the_record_and_stay_within_the_title_column() -> None:
    assert rules.text("Case {number}: {subject}", {"number": "CS-1"}) == "Case CS-1:"
    assert rules.text("{sku} {unknown}", {"sku": "A{b}"}) == "A{b}"
    long = rules.text("{subject}", {"subject": "x" * 500}, rules.TITLE_MAX)
    assert len(long) == rules.TITLE_MAX and long.endswith("…")


def test_payloads_it_does_not_know_leave_only_the_envelope() -> None:
    env = envelope("crm.sales.deal.won", support_events.ContractExpiring(contract_id="c"))
    assert events.facts_of(env) == Facts(record_id=env.subject_id, actor_id=ACTOR)
