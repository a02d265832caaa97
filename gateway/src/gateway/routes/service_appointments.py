"""Service appointments (the support service decides access, module work_orders)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import RequireUser

router = APIRouter(
    prefix="/service-appointments", tags=["field service"], dependencies=[RequireUser]
)
