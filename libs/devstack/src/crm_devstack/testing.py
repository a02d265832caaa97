"""Helpers for integration tests (pytest is deliberately not imported here)."""

from __future__ import annotations

import uuid

from crm_devstack.managed_process import ManagedProcess, ProcessExitedError

__all__ = ["ManagedProcess", "ProcessExitedError", "unique_name"]


def unique_name(prefix: str = "t") -> str:
    """A short name that no other test run uses: database names, Redis key prefixes,
    NATS stream names. Lower-case letters, digits and ``_`` only (valid everywhere)."""
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in prefix.lower())
    return f"{cleaned}_{uuid.uuid4().hex[:10]}"
