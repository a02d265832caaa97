"""Service contracts (the support service decides access, module service_contracts)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import RequireUser

router = APIRouter(prefix="/service-contracts", tags=["field service"], dependencies=[RequireUser])
