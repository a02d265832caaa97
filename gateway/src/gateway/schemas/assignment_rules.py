"""Assignment rules: ``AssignmentRuleCreate / ...Update / ...Read / ...Page``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.accounts import VERSION_FIELD
from gateway.schemas.common import RequestBody, next_cursor_field

ConditionField = Literal[
    "source", "industry", "country", "title", "company", "email", "status", "score", "tag"
]
ConditionOp = Literal[
    "equals", "not_equals", "contains", "starts_with", "in", "gt", "gte", "lt", "lte"
]


class RuleCondition(RequestBody):
    """``in`` takes a list; every other op one value. Strings compare
    case-insensitively; gt/gte/lt/lte compare scores. ``country`` is read from the
    lead's ``country`` custom field."""

    field: ConditionField
    op: ConditionOp
    value: str | int | list[str]

    @field_validator("value", mode="after")
    @classmethod
    def _text(cls, value: str | int | list[str]) -> str | list[str]:
        return str(value) if isinstance(value, int) else value


class RuleTarget(RequestBody):
    type: Literal["user", "round_robin", "least_loaded"]
    user_id: str | None = Field(default=None, description="For type user")
    group_id: str | None = Field(default=None, description="For round_robin and least_loaded")


class AssignmentRuleCreate(RequestBody):
    name: str
    position: Annotated[int, Field(ge=0)] = 0
    active: bool = True
    conditions: list[RuleCondition] = Field(
        default_factory=list, description="All must hold; none: every lead"
    )
    target: RuleTarget


class AssignmentRuleUpdate(RequestBody):
    name: str | SkipJsonSchema[None] = None
    position: Annotated[int, Field(ge=0)] | SkipJsonSchema[None] = None
    active: bool | SkipJsonSchema[None] = None
    conditions: list[RuleCondition] | SkipJsonSchema[None] = None
    target: RuleTarget | SkipJsonSchema[None] = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD

    @field_validator("name", "position", "active", "conditions", "target", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class RuleConditionRead(BaseModel):
    field: str
    op: str
    value: str | list[str]


class RuleTargetRead(BaseModel):
    type: str
    user_id: str | None = None
    group_id: str | None = None


class AssignmentRuleRead(BaseModel):
    id: str
    tenant_id: str
    name: str
    position: int
    active: bool
    conditions: list[RuleConditionRead]
    target: RuleTargetRead
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class AssignmentRulePage(BaseModel):
    items: list[AssignmentRuleRead]
    next_cursor: str | None = next_cursor_field()
