"""Pipelines and their stages: ``PipelineCreate / PipelineUpdate / PipelineRead``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody

StageKind = Literal["open", "won", "lost"]
VERSION_FIELD = Field(default=None, description="Expected version (or send If-Match); 409 if stale")


class StageIn(RequestBody):
    id: str | None = Field(default=None, description="Keep this existing stage; none for a new one")
    name: str
    probability: int = Field(default=0, description="0..100; won stages are 100, lost ones 0")
    kind: StageKind = "open"


class PipelineCreate(RequestBody):
    name: str
    stages: list[StageIn] = Field(description="In order; at least one open, won and lost stage")
    is_default: bool = False


class PipelineUpdate(RequestBody):
    """Partial: ``stages`` replaces the list (stages left out are removed: 409 while
    deals are at them); ``is_default`` can only be set to true."""

    name: str | SkipJsonSchema[None] = None
    stages: list[StageIn] | SkipJsonSchema[None] = None
    is_default: bool | SkipJsonSchema[None] = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD


class StageRead(BaseModel):
    id: str
    name: str
    position: int
    probability: int
    kind: StageKind


class PipelineRead(BaseModel):
    id: str
    name: str
    is_default: bool
    stages: list[StageRead]
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class PipelineList(BaseModel):
    items: list[PipelineRead]
