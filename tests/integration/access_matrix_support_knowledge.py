"""Access-matrix rows of support_knowledge (joined into the matrix by access_rows.py)."""

from __future__ import annotations

from tests.integration.access_matrix import Row

ROWS: list[Row] = []
