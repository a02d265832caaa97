"""Timelogs on cases and work orders (the support service decides access, module timelogs)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import RequireUser

router = APIRouter(prefix="", tags=["field service"], dependencies=[RequireUser])
