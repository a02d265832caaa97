"""Access-matrix rows of webhooks and notification preferences (joined by access_rows.py)."""

from __future__ import annotations

from tests.integration.access_matrix import Row

ROWS: list[Row] = []
