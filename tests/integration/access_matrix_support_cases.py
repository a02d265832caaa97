"""Access-matrix rows of support_cases: cases, their status actions, assignment
and comments (joined into the matrix by access_rows.py).

Cases are owner-based (module ``cases``, private by default): the record's owner
is its owner_id, else its group, else its creator. Sales profiles have no cases
permission (403); the Read Only profile may view but sees only its own records,
so the admin's case is not found for it (404) and it may change nothing (403);
the Read Only key sees every record of the tenant but changes none. Another
tenant's admin finds none of these cases (404) and opens its own (201). Records
are fresh cases of the admin's (``support_case``, made by access_matrix_support_
field); a fresh case is new, so reopening it is refused (409) even for the admin.
"""

from __future__ import annotations

from typing import Any

from tests.integration.access_matrix import Row, unique
from tests.integration.access_org import Org

VIEW = "200 403 403 403 200 200 200 401"
CREATE = "201 403 403 403 403 201 403 401"
READ = "200 403 403 403 404 404 200 401"
CHANGE = "200 403 403 403 403 404 403 401"
ADD = "201 403 403 403 403 404 403 401"
DELETE = "204 403 403 403 403 404 403 401"
REOPEN = "409 403 403 403 403 404 403 401"  # a new case cannot be reopened


def new_case(org: Org, who: str) -> dict[str, Any]:
    return {"subject": unique(f"case-{who}"), "priority": "P4", "channel": "phone"}


def resubject(org: Org, who: str) -> dict[str, Any]:
    return {"subject": f"Subject by {who}"}


def to_rep(org: Org, who: str) -> dict[str, Any]:
    return {"owner_id": org.ids["rep_id"]}


def reply(org: Org, who: str) -> dict[str, Any]:
    return {"body": f"Reply by {who}", "public": True}


ROWS: list[Row] = [
    Row("GET", "/api/v1/cases", VIEW),
    Row("POST", "/api/v1/cases", CREATE, body=new_case),
    Row("GET", "/api/v1/cases/{fresh_id}", READ, fresh="support_case"),
    Row("PATCH", "/api/v1/cases/{fresh_id}", CHANGE, body=resubject, fresh="support_case"),
    Row("DELETE", "/api/v1/cases/{fresh_id}", DELETE, fresh="support_case"),
    Row("POST", "/api/v1/cases/{fresh_id}/resolve", CHANGE, fresh="support_case"),
    Row("POST", "/api/v1/cases/{fresh_id}/close", CHANGE, fresh="support_case"),
    Row("POST", "/api/v1/cases/{fresh_id}/reopen", REOPEN, fresh="support_case"),
    Row("POST", "/api/v1/cases/{fresh_id}/assign", CHANGE, body=to_rep, fresh="support_case"),
    Row("GET", "/api/v1/cases/{fresh_id}/comments", READ, fresh="support_case"),
    Row("POST", "/api/v1/cases/{fresh_id}/comments", ADD, body=reply, fresh="support_case"),
]
