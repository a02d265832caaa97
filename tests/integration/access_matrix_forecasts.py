"""Access-matrix rows for forecasts and quotas (joined by access_rows.py).

Everyone with forecasts:view gets their own forecast; an API key has no own
forecast and must name an owner (422). Quotas are set from above: a manager
for the rep, never a rep for themselves or a peer."""

from __future__ import annotations

from typing import Any

from tests.integration.access_matrix import Row
from tests.integration.access_org import Org


def rep_quota(org: Org, who: str) -> dict[str, Any]:
    return {"user_id": org.ids["rep_id"], "period": "2026-Q4", "amount": "1000", "currency": "EUR"}


ROWS: list[Row] = [
    Row("GET", "/api/v1/forecasts?period=2026-Q4", "200 200 200 200 200 200 422 401"),
    Row("GET", "/api/v1/quotas?period=2026-Q4", "200 200 200 200 200 200 200 401"),
    Row("PUT", "/api/v1/quotas", "200 200 403 403 403 422 403 401", body=rep_quota),
]
