"""Deals and the kanban board: ``*Create / *Update / *Read / *Page``.

Money travels as a decimal string (``"1234.50"``) with an ISO currency; the sales
service owns the value rules (currency minor units, probability, stages) and
names every violated field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field
from gateway.schemas.pipelines import PipelineRead, StageRead

DealStatus = Literal["open", "won", "lost"]
ContactRoleName = Literal[
    "decision_maker", "economic_buyer", "influencer", "technical_buyer", "champion",
    "end_user", "evaluator", "other",
]  # fmt: skip
Amount = Annotated[str, Field(max_length=40, description='Decimal string, e.g. "1234.50"')]
VERSION_FIELD = Field(default=None, description="Expected version (or send If-Match); 409 if stale")


# ---- deals ----


class DealCreate(RequestBody):
    name: str
    account_id: str | None = Field(default=None, description="An account you may see")
    amount: Amount | None = Field(default=None, description="Decimal string; needs currency")
    currency: str | None = Field(default=None, description="ISO 4217, e.g. EUR")
    pipeline_id: str | None = Field(default=None, description="Default: the default pipeline")
    stage_id: str | None = Field(default=None, description="Default: the first open stage")
    probability: int | None = Field(default=None, description="0..100; default: the stage's")
    close_date: str | None = Field(default=None, description="YYYY-MM-DD")
    owner_id: str | None = Field(default=None, description="Default: you (API keys must give one)")
    lost_reason: str | None = Field(default=None, description="Needed when created lost")
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


# Fields of a PATCH that may not be null (null clears account_id, amount, close_date).
NOT_NULL = (
    "name", "pipeline_id", "stage_id", "probability", "owner_id", "lost_reason", "tags",
    "custom_fields", "version",
)  # fmt: skip


class DealUpdate(RequestBody):
    """Partial update: only the fields present change. A new ``stage_id`` moves the
    deal (a won/lost stage closes it, lost needs ``lost_reason``; an open one
    reopens it). ``amount`` and ``currency`` go together; ``amount: null`` clears it."""

    name: str | SkipJsonSchema[None] = None
    account_id: str | None = None
    amount: Amount | None = None
    currency: str | None = None
    pipeline_id: str | SkipJsonSchema[None] = None
    stage_id: str | SkipJsonSchema[None] = None
    probability: int | SkipJsonSchema[None] = None
    close_date: str | None = None
    owner_id: str | SkipJsonSchema[None] = None
    lost_reason: str | SkipJsonSchema[None] = None
    tags: list[str] | SkipJsonSchema[None] = None
    custom_fields: dict[str, Any] | SkipJsonSchema[None] = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD

    @field_validator(*NOT_NULL, mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class ContactRoleIn(RequestBody):
    contact_id: str
    role: ContactRoleName
    is_primary: bool = False


class ContactRolesPut(RequestBody):
    contact_roles: list[ContactRoleIn]
    version: Annotated[int, Field(ge=1)] | None = VERSION_FIELD


class SplitIn(RequestBody):
    user_id: str
    percent: Annotated[str, Field(max_length=20, description='Two decimals, e.g. "33.34"')]


class SplitsPut(RequestBody):
    splits: list[SplitIn] = Field(description="Percentages summing to exactly 100, or none")
    version: Annotated[int, Field(ge=1)] | None = VERSION_FIELD


class StageChangeRead(BaseModel):
    from_stage_id: str | None = None
    to_stage_id: str
    changed_at: datetime | None = None
    changed_by: str | None = None


class ContactRoleRead(BaseModel):
    contact_id: str
    role: str
    is_primary: bool


class SplitRead(BaseModel):
    user_id: str
    percent: str


class DealRead(BaseModel):
    id: str
    tenant_id: str
    name: str
    account_id: str | None = None
    amount: str | None = Field(default=None, description="Absent when hidden from the caller")
    currency: str | None = None
    pipeline_id: str
    stage_id: str
    probability: int
    close_date: str | None = None
    owner_id: str
    status: DealStatus
    lost_reason: str = ""
    tags: list[str]
    custom_fields: dict[str, Any]
    lead_id: str | None = Field(default=None, description="The lead converted into this deal")
    closed_at: datetime | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None
    stage_history: list[StageChangeRead] = Field(default_factory=list)
    contact_roles: list[ContactRoleRead] = Field(default_factory=list)
    splits: list[SplitRead] = Field(default_factory=list)
    hidden_fields: SkipJsonSchema[list[str]] = Field(default_factory=list, exclude=True)

    @model_serializer(mode="wrap")
    def _drop_hidden(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Fields hidden by the caller's profile are left out of the JSON altogether."""
        data: dict[str, Any] = handler(self)
        for name in self.hidden_fields:
            data.pop(name, None)
            if name == "amount":
                data.pop("currency", None)
        return data


class DealPage(BaseModel):
    items: list[DealRead]
    next_cursor: str | None = next_cursor_field()


# ---- kanban ----


class MoneyRead(BaseModel):
    currency: str
    amount: str


class BoardColumnRead(BaseModel):
    stage: StageRead
    count: int
    amounts: list[MoneyRead] = Field(description="Sum of amounts per currency")
    weighted_amounts: list[MoneyRead] = Field(
        description="Sum of amount x probability / 100 per currency, rounded half-up once"
    )
    cards: list[DealRead]
    next_cursor: str | None = Field(
        default=None, description="GET /deals?pipeline_id=&stage_id=&cursor= for more cards"
    )


class DealBoardRead(BaseModel):
    pipeline: PipelineRead
    columns: list[BoardColumnRead]
