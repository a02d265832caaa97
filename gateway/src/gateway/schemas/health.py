from __future__ import annotations

from pydantic import BaseModel


class HealthRead(BaseModel):
    status: str = "ok"


class ReadinessRead(BaseModel):
    status: str = "ready"
    checks: dict[str, str]
