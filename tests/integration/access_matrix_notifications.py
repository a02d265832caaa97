"""Access-matrix rows for follows and the notification centre (joined into the
matrix by access_rows.py).

No access module: every signed-in user has their own centre and follows (another
tenant's administrator too); an API key is refused (403). Following needs the
record to be visible to the caller (sales decides): the peer and the Read Only
user do not see the rep's account (private), another tenant has no such account
(404). Marking read and unfollowing an id that is not the caller's is 404. The
stream is asked to end at once (max_seconds=0): only its first event is read.
"""

from __future__ import annotations

from typing import Any

from tests.integration.access_matrix import Row, rep_account
from tests.integration.access_org import Org


def follow_rep_account(org: Org, who: str) -> dict[str, Any]:
    return {"record_type": "account", "record_id": rep_account(org)}


ROWS: list[Row] = [
    Row("GET", "/api/v1/follows", "200 200 200 200 200 200 403 401"),
    Row("POST", "/api/v1/follows", "201 201 201 404 404 404 403 401", body=follow_rep_account),
    Row("DELETE", "/api/v1/follows/{rep_id}", "404 404 404 404 404 404 403 401"),
    Row("GET", "/api/v1/notifications", "200 200 200 200 200 200 403 401"),
    Row("GET", "/api/v1/notifications/stream?max_seconds=0", "200 200 200 200 200 200 403 401"),
    Row("POST", "/api/v1/notifications/read-all", "200 200 200 200 200 200 403 401"),
    Row("POST", "/api/v1/notifications/{rep_id}/read", "404 404 404 404 404 404 403 401"),
]
