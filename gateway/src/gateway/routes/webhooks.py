"""Webhooks (the notifications service): endpoints per tenant, signed deliveries,
the delivery log and replay."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import RequireUser

router = APIRouter(prefix="/webhooks", tags=["webhooks"], dependencies=[RequireUser])
