"""Access-matrix rows for activities and assignment rules (joined into the matrix
by access_rows.py).

Activities (module activities, private by default): like accounts; the new
activity is on the rep's lead, so the peer does not find the lead (404) and
another tenant has no such lead (422 related_id). Assignment rules: only
administrators (every record and leads:edit); the Read Only key sees every
record but may not edit leads (403); another tenant's administrator has no such
rule (404) and no such target user (422 target.user_id). Reads and renames share
one rule (admins' requests are rate limited like anyone's).
"""

from __future__ import annotations

from typing import Any

from tests.integration.access_matrix import Row, rename, unique
from tests.integration.access_org import Org


def rep_lead(org: Org) -> str:
    """One lead owned by the rep, made on first use."""
    if "rep_lead_id" not in org.ids:
        org.ids["rep_lead_id"] = org.fresh("lead")
    return org.ids["rep_lead_id"]


def new_task(org: Org, who: str) -> dict[str, Any]:
    return {
        "type": "task",
        "subject": unique(who),
        "related_type": "lead",
        "related_id": rep_lead(org),
        "due_at": "2030-01-01T09:00:00Z",
    }


def new_rule(org: Org, who: str) -> dict[str, Any]:
    return {
        "name": unique(who),
        "active": False,
        "conditions": [{"field": "source", "op": "equals", "value": "never"}],
        "target": {"type": "user", "user_id": org.ids["rep_id"]},
    }


def resubject(org: Org, who: str) -> dict[str, Any]:
    return {"subject": f"Subject by {who}"}


ROWS: list[Row] = [
    Row("GET", "/api/v1/activities", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/activities", "201 201 201 404 403 422 403 401", body=new_task),
    Row(
        "GET", "/api/v1/activities/{fresh_id}", "200 200 200 404 404 404 200 401", fresh="activity"
    ),
    Row(
        "PATCH",
        "/api/v1/activities/{fresh_id}",
        "200 200 200 404 403 404 403 401",
        body=resubject,
        fresh="activity",
    ),
    Row(
        "DELETE",
        "/api/v1/activities/{fresh_id}",
        "204 204 403 403 403 404 403 401",
        fresh="activity",
    ),
    Row("GET", "/api/v1/assignment-rules", "200 403 403 403 403 200 403 401"),
    Row("POST", "/api/v1/assignment-rules", "201 403 403 403 403 422 403 401", body=new_rule),
    Row(
        "GET",
        "/api/v1/assignment-rules/{fresh_id}",
        "200 403 403 403 403 404 403 401",
        fresh="shared_assignment_rule",
    ),
    Row(
        "PATCH",
        "/api/v1/assignment-rules/{fresh_id}",
        "200 403 403 403 403 404 403 401",
        body=rename,
        fresh="shared_assignment_rule",
    ),
    Row(
        "DELETE",
        "/api/v1/assignment-rules/{fresh_id}",
        "204 403 403 403 403 404 403 401",
        fresh="assignment_rule",
    ),
]
