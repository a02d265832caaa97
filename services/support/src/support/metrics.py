"""Business counters of support (no per-tenant labels: tenants are unbounded).
Names are fixed: deploy/helm's dashboards and alert rules use them."""

from __future__ import annotations

from prometheus_client import Counter

CASES_CREATED = Counter("crm_cases_created", "Cases opened, all tenants", ["priority"])
SLA_BREACHES = Counter(
    "crm_sla_breaches", "SLA targets breached (scheduler), all tenants", ["target"]
)
