"""Notifications tables (orm_delivery): filled in by its area."""

from __future__ import annotations

from crm_common.db import Base  # noqa: F401 - the tables of this module join Base
