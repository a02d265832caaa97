"""Lead conversion: ``LeadConvert`` in, ``LeadConversion`` out."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody

Money = Annotated[str, Field(max_length=40, examples=["1234.50"])]


class LeadConvert(RequestBody):
    account_id: str | None = Field(
        default=None,
        description="Merge into this account (its non-empty fields are kept); default: a new one",
    )
    create_deal: bool = False
    deal_name: str | None = Field(default=None, max_length=200)
    amount: Money | None = Field(default=None, description="Decimal string, with currency")
    currency: str | None = Field(default=None, max_length=3, examples=["EUR"])
    pipeline_id: str | None = Field(default=None, description="Default: the default pipeline")
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = Field(
        default=None, description="Expected version of the lead (or send If-Match); 409 if stale"
    )


class LeadConversion(BaseModel):
    account_id: str
    contact_id: str
    deal_id: str | None
    account_created: bool
