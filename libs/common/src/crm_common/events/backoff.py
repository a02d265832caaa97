"""Bounded exponential backoff shared by the relay and the consumers."""

from __future__ import annotations

import asyncio
import contextlib
import random


def backoff_delay(attempt: int, *, base: float, cap: float) -> float:
    """Delay before retry number ``attempt`` (1-based): base * 2^(attempt-1), capped, with
    +-20 % jitter so that replicas that failed together do not retry in lock-step."""
    exponent = min(max(attempt - 1, 0), 30)  # 2**30 * base is beyond any cap; no overflow
    delay = min(cap, base * (2**exponent))
    return delay * random.uniform(0.8, 1.2)


async def sleep_unless_stopped(stop_event: asyncio.Event, seconds: float) -> bool:
    """Sleep up to ``seconds``; return True at once if ``stop_event`` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop_event.wait(), timeout=max(seconds, 0.0))
    return stop_event.is_set()
