"""FAQ / knowledge base articles (the support service decides access, module knowledge_base)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import RequireUser

router = APIRouter(prefix="/faqs", tags=["knowledge base"], dependencies=[RequireUser])
