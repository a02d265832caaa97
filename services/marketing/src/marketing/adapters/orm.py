"""Marketing's tables."""

from __future__ import annotations

from crm_common.db import Base  # noqa: F401 - the tables of this module join Base
