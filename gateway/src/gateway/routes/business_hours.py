"""Business-hours calendars (the support service decides access)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import RequireUser

router = APIRouter(prefix="/business-hours", tags=["sla"], dependencies=[RequireUser])
