"""Cases (the support service decides access, module cases), their comments."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import RequireUser

router = APIRouter(prefix="/cases", tags=["cases"], dependencies=[RequireUser])
