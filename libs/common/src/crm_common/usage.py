"""The API-usage counters in Redis: the gateway increments them, identity copies
them into its ``usage_daily`` table. One definition keeps writer and reader agreed."""

from __future__ import annotations

from datetime import date


def usage_counter_key(tenant_id: str, day: date, key_id: str = "") -> str:
    """Calls of a tenant on a UTC day; with ``key_id``, those made with that API key."""
    base = f"crm:usage:{tenant_id}:{day:%Y%m%d}"
    return f"{base}:{key_id}" if key_id else base
