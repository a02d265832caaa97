"""Notification preferences (the notifications service): the caller's channels,
quiet hours and digest."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import RequireUser

router = APIRouter(
    prefix="/notification-preferences", tags=["notifications"], dependencies=[RequireUser]
)
