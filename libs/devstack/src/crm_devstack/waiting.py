"""Bounded polling: every wait in the devstack has a deadline and a clear message."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(
    check: Callable[[], bool],
    *,
    timeout: float,
    description: str,
    interval: float = 0.1,
) -> None:
    """Call ``check`` until it returns True; raise TimeoutError after ``timeout`` seconds.

    ``check`` may raise to abort the wait early (e.g. the process it waits for died)."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {description}")
        time.sleep(interval)
