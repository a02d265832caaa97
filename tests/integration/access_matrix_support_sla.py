"""Access-matrix rows of support_sla: business-hours calendars and SLA policies
(joined into the matrix by access_rows.py).

Help-desk configuration belongs to the tenant (no owner): module ``cases`` decides,
view to read; changing needs ``cases:edit`` and every record of the tenant, so among
the seeded profiles only the administrator changes it (a Support Agent may view).
The Read Only profile and key view it; sales managers and reps have no cases
permission (403). Another tenant's admin finds none of these records (404) and makes
its own (201). Policies made here are inactive, so no case of the matrix matches them.
"""

from __future__ import annotations

from typing import Any

from tests.integration.access_matrix import Row, rename, unique
from tests.integration.access_org import Org

KINDS = ("business_hours", "sla_policy")
VIEW = "200 403 403 403 200 200 200 401"
CREATE = "201 403 403 403 403 201 403 401"
READ = "200 403 403 403 200 404 200 401"
CHANGE = "200 403 403 403 403 404 403 401"
DELETE = "204 403 403 403 403 404 403 401"


def new_calendar(org: Org, who: str) -> dict[str, Any]:
    return {
        "name": unique(f"hours-{who}"),
        "timezone": "Europe/Amsterdam",
        "weekly": {day: [["09:00", "12:00"], ["13:00", "17:00"]] for day in ("mon", "fri")},
        "holidays": ["2026-12-25"],
    }


def new_policy(org: Org, who: str) -> dict[str, Any]:
    return {
        "name": unique(f"policy-{who}"),
        "active": False,
        "conditions": {"priorities": ["P1"]},
        "first_response_minutes": 30,
        "resolution_minutes": 240,
    }


def fresh_sla_record(org: Org, kind: str) -> str:
    """A record of ``kind`` (KINDS), made by the admin."""
    if kind == "business_hours":
        return str(org.admin("POST", "/api/v1/business-hours", json=new_calendar(org, "a"))["id"])
    return str(org.admin("POST", "/api/v1/sla-policies", json=new_policy(org, "a"))["id"])


ROWS: list[Row] = [
    Row("GET", "/api/v1/business-hours", VIEW),
    Row("POST", "/api/v1/business-hours", CREATE, body=new_calendar),
    Row("GET", "/api/v1/business-hours/{fresh_id}", READ, fresh="business_hours"),
    Row("PATCH", "/api/v1/business-hours/{fresh_id}", CHANGE, body=rename, fresh="business_hours"),
    Row("DELETE", "/api/v1/business-hours/{fresh_id}", DELETE, fresh="business_hours"),
    Row("GET", "/api/v1/sla-policies", VIEW),
    Row("POST", "/api/v1/sla-policies", CREATE, body=new_policy),
    Row("GET", "/api/v1/sla-policies/match?priority=P1&account_tier=gold", VIEW),
    Row("GET", "/api/v1/sla-policies/{fresh_id}", READ, fresh="sla_policy"),
    Row("PATCH", "/api/v1/sla-policies/{fresh_id}", CHANGE, body=rename, fresh="sla_policy"),
    Row("DELETE", "/api/v1/sla-policies/{fresh_id}", DELETE, fresh="sla_policy"),
]
