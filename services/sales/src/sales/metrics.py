"""Business counters of sales (no per-tenant labels: tenants are unbounded)."""

from __future__ import annotations

from prometheus_client import Counter

LEADS_CREATED = Counter("crm_leads_created", "Leads created, all tenants")
# Labelled by currency (ISO 4217: bounded); amounts of different currencies never add up.
DEALS_WON_AMOUNT = Counter("crm_deals_won_amount", "Amount of deals won, all tenants", ["currency"])
