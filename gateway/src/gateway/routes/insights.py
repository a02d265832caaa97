"""Help-desk insights (the support service decides access, module cases)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import RequireUser

router = APIRouter(prefix="/insights", tags=["insights"], dependencies=[RequireUser])
