"""The account 360 view: the account and one part per related kind of record."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from gateway.overview import PartStatus
from gateway.schemas.accounts import AccountRead, ContactRead
from gateway.schemas.activities import ActivityRead
from gateway.schemas.deals import DealRead
from gateway.schemas.quotes import QuoteRead, SalesOrderRead

T = TypeVar("T")


class OverviewPart(BaseModel, Generic[T]):
    status: PartStatus = Field(
        description="ok, or why this part is missing: forbidden, unavailable, timeout, error"
    )
    items: list[T] = Field(default_factory=list, description="The first page")
    next_cursor: str | None = Field(default=None, description="For the part's own list endpoint")
    detail: str | None = None


class AccountOverview(BaseModel):
    account: AccountRead
    contacts: OverviewPart[ContactRead]
    open_deals: OverviewPart[DealRead]
    quotes: OverviewPart[QuoteRead]
    orders: OverviewPart[SalesOrderRead]
    activities: OverviewPart[ActivityRead]
