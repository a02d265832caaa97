"""Business counters of inventory (no per-tenant labels: tenants are unbounded)."""

from __future__ import annotations

from prometheus_client import Counter

PRODUCTS_CREATED = Counter("crm_products_created", "Products created, all tenants")
PRICE_QUOTES = Counter("crm_price_quotes", "Line prices computed, all tenants")
