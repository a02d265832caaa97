"""Activity value rules: pure functions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from crm_common.errors import InvalidArgument
from sales.domain import activities as rules

T0 = datetime(2030, 1, 1, tzinfo=UTC)
BASE = {
    **rules.NEW_DEFAULTS,
    "type": "task",
    "subject": "S",
    "related_type": "lead",
    "related_id": uuid.uuid4(),
}


def fields(values: dict[str, object]) -> list[str]:
    with pytest.raises(InvalidArgument) as caught:
        rules.validate(values)
    return [v.field for v in caught.value.violations]


def test_valid_task_call_meeting() -> None:
    rules.validate({**BASE, "due_at": T0})
    rules.validate({**BASE, "type": "call", "direction": "inbound", "duration_seconds": 60})
    meeting = {**BASE, "type": "meeting", "start_at": T0, "end_at": T0 + timedelta(hours=1)}
    rules.validate({**meeting, "attendees": [{"email": "a@b.example"}]})


def test_violations_are_named() -> None:
    assert fields({**BASE, "type": "memo"}) == ["type"]
    assert fields({**BASE, "related_type": "case", "related_id": None}) == [
        "related_type",
        "related_id",
    ]
    assert fields({**BASE, "type": "call", "duration_seconds": -1}) == ["duration_seconds"]
    assert fields({**BASE, "type": "meeting", "start_at": T0}) == ["end_at"]
    two = [{"email": "a@b.example", "user_id": str(uuid.uuid4())}]
    meeting = {**BASE, "type": "meeting", "start_at": T0, "end_at": T0 + timedelta(hours=1)}
    assert fields({**meeting, "attendees": two}) == ["attendees"]
    assert fields({**meeting, "attendees": [{"user_id": "nope"}]}) == ["attendees"]


def test_completion_time_is_kept_while_completed() -> None:
    earlier = T0 - timedelta(days=1)
    assert rules.completed_at("completed", None, T0) == T0
    assert rules.completed_at("completed", earlier, T0) == earlier
    assert rules.completed_at("open", earlier, T0) is None
    assert rules.clean({"attendees": [{"email": " A@B.example "}]})["attendees"] == [
        {"email": "a@b.example"}
    ]
