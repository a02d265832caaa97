"""Business counters of sales (no per-tenant labels: tenants are unbounded)."""

from __future__ import annotations

from prometheus_client import Counter

LEADS_CREATED = Counter("crm_leads_created", "Leads created, all tenants")
