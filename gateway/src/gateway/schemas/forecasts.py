"""Forecasts and quotas. Amounts are decimal strings, one currency each."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from gateway.schemas.common import RequestBody

Period = Annotated[str, Field(max_length=7, examples=["2026-Q4", "2026-11", "2026"])]


class ForecastTotals(BaseModel):
    currency: str
    pipeline: str
    weighted_pipeline: str
    best_case: str = Field(description="Closed won + open deals at >= 50% probability")
    commit: str = Field(description="Closed won + open deals at >= 80% probability")
    closed_won: str
    quota: str | None = None
    attainment_percent: str | None = Field(default=None, description="closed_won / quota x 100")
    open_deals: int
    won_deals: int


class ForecastOwner(BaseModel):
    owner_id: str
    display_name: str
    role_id: str | None
    totals: list[ForecastTotals]


class ForecastRole(BaseModel):
    role_id: str
    name: str
    parent_id: str | None
    depth: int = Field(description="0 for the owner's own role")
    totals: list[ForecastTotals] = Field(description="Everyone in this role and below")


class Forecast(BaseModel):
    period: str
    start_date: str
    end_date: str
    owner_id: str
    owners: list[ForecastOwner]
    roles: list[ForecastRole]
    total: list[ForecastTotals]


class QuotaSet(RequestBody):
    user_id: str
    period: Period
    amount: Annotated[str, Field(max_length=40, examples=["50000.00"])]
    currency: Annotated[str, Field(max_length=3, examples=["EUR"])]


class Quota(BaseModel):
    user_id: str
    period: str
    amount: str
    currency: str


class QuotaList(BaseModel):
    items: list[Quota]
