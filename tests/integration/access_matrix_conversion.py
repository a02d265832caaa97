"""Access-matrix rows for lead conversion and the account 360 view (joined into
the matrix by access_rows.py).

Conversion needs leads:edit on the lead plus accounts/contacts create (and
deals create with a deal): the Read Only profile and key stop at the first."""

from __future__ import annotations

from tests.integration.access_matrix import Row

ROWS: list[Row] = [
    Row(
        "POST",
        "/api/v1/leads/{fresh_id}/convert",
        "200 200 200 404 403 404 403 401",
        body=lambda org, who: {"create_deal": True, "amount": "100.00", "currency": "EUR"},
        fresh="lead",
    ),
    # The 360 view follows the account's visibility; its parts are marked, not refused.
    Row(
        "GET",
        "/api/v1/accounts/{fresh_id}/overview",
        "200 200 200 404 404 404 200 401",
        fresh="account",
    ),
]
