"""Access-matrix rows for sales_csv (joined into the matrix by access_rows.py):
accounts, contacts and deals CSV, and activities in the recycle bin.

Export needs <module>:export (not the Read Only profile or key); import needs
<module>:import (administrators and managers). The matrix sends JSON, so an
import's "file" is a header alone: past the access checks, 422 (no data rows).
"""

from __future__ import annotations

from tests.integration.access_matrix import Row

EXPORT = "200 200 200 200 403 200 403 401"
IMPORT = "422 422 403 403 403 422 403 401"

ROWS: list[Row] = [
    Row("GET", "/api/v1/accounts/export", EXPORT),
    Row("POST", "/api/v1/accounts/import", IMPORT, body=lambda org, who: "name"),
    Row("GET", "/api/v1/contacts/export", EXPORT),
    Row("POST", "/api/v1/contacts/import", IMPORT, body=lambda org, who: "last_name"),
    Row("GET", "/api/v1/deals/export", EXPORT),
    Row("POST", "/api/v1/deals/import", IMPORT, body=lambda org, who: "name"),
    # activities in the bin: as the other modules (needs activities:delete)
    Row("GET", "/api/v1/recycle-bin?module=activities", "200 200 403 403 403 200 403 401"),
    Row(
        "POST",
        "/api/v1/activities/{fresh_id}/restore",
        "200 200 403 403 403 404 403 401",
        fresh="deleted_activity",
    ),
]
