"""Retry backoff (exponential, capped, jittered), the end of a delivery, and when
an endpoint is disabled."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from notifications.domain import webhooks as rules
from notifications.domain.webhooks import RetryPolicy

POLICY = RetryPolicy(base_seconds=2.0, max_seconds=3600.0, max_attempts=5,
                     disable_after_failures=3, disable_after_seconds=86400.0)  # fmt: skip
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@given(st.integers(min_value=1, max_value=200), st.integers(min_value=0, max_value=2**32))
def test_the_wait_doubles_is_capped_and_jittered_within_half(attempts: int, seed: int) -> None:
    wait = rules.backoff_seconds(attempts, POLICY, random.Random(seed))
    full = min(3600.0, 2.0 * 2 ** (attempts - 1))
    assert full / 2 <= wait <= full


def test_without_jitter_the_waits_double_up_to_the_cap() -> None:
    class Top(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    waits = [rules.backoff_seconds(n, POLICY, Top()) for n in range(1, 14)]
    assert waits[:5] == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert waits[-1] == 3600.0 and max(waits) == 3600.0


def test_jitter_spreads_replicas_that_failed_together() -> None:
    rand = random.Random(7)
    assert len({round(rules.backoff_seconds(6, POLICY, rand), 6) for _ in range(20)}) > 1


def test_after_an_attempt() -> None:
    assert rules.after_attempt(True, 1, NOW, POLICY) == rules.AttemptOutcome("delivered", None)
    retry = rules.after_attempt(False, 1, NOW, POLICY)
    assert retry.status == "pending" and retry.next_attempt_at is not None
    assert NOW + timedelta(seconds=1) <= retry.next_attempt_at <= NOW + timedelta(seconds=2)
    assert rules.after_attempt(False, 5, NOW, POLICY) == rules.AttemptOutcome("failed", None)


def test_an_endpoint_is_disabled_after_failed_deliveries_in_a_row_or_a_day() -> None:
    assert rules.disable_reason(2, NOW, NOW, POLICY) is None
    assert "3 deliveries" in (rules.disable_reason(3, NOW, NOW, POLICY) or "")
    day_ago = NOW - timedelta(days=1)
    assert "no delivery succeeded" in (rules.disable_reason(0, day_ago, NOW, POLICY) or "")
    assert rules.disable_reason(0, NOW - timedelta(hours=23), NOW, POLICY) is None
    assert rules.disable_reason(0, None, NOW, POLICY) is None


def test_2xx_is_success() -> None:
    assert [rules.is_success(c) for c in (199, 200, 204, 299, 300, 404, 500)] == [
        False, True, True, True, False, False, False,
    ]  # fmt: skip
