"""SLA policies, ordered, first match wins (the support service decides access)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import RequireUser

router = APIRouter(prefix="/sla-policies", tags=["sla"], dependencies=[RequireUser])
