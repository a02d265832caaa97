"""The rules table: who hears of which event (pure, no I/O)."""

from __future__ import annotations

from notifications.domain import rules


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
