"""Help-desk insights: backlog now, SLA compliance and response/resolution
times in a window, in total, per group and per agent."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class CountBy(BaseModel):
    key: str
    count: int


class Backlog(BaseModel):
    total: int = Field(description="Open cases now: new, open, waiting_on_*")
    by_status: list[CountBy]
    by_priority: list[CountBy]


class TargetCompliance(BaseModel):
    met: int = Field(description="Targets due in the window, fulfilled without breach")
    breached: int
    pending: int = Field(description="Not fulfilled and not yet due")
    compliance_percent: float | None = Field(
        default=None, description="met / (met + breached) x 100; null when both are 0"
    )


class SlaCompliance(BaseModel):
    overall: TargetCompliance
    first_response: TargetCompliance
    resolution: TargetCompliance


class DurationStats(BaseModel):
    count: int
    median_minutes: float | None = Field(default=None, description="Business minutes")
    p90_minutes: float | None = None


class InsightSlice(BaseModel):
    id: str | None = Field(description="The group or agent (owner); null: none")
    backlog: int
    sla: TargetCompliance
    first_response: DurationStats
    resolution: DurationStats


class HelpDeskInsights(BaseModel):
    from_: datetime = Field(alias="from", serialization_alias="from")
    to: datetime
    group_id: str | None = None
    backlog: Backlog
    sla: SlaCompliance
    first_response: DurationStats = Field(description="Cases first answered in the window")
    resolution: DurationStats = Field(description="Cases resolved in the window")
    groups: list[InsightSlice]
    agents: list[InsightSlice]

    model_config = {"populate_by_name": True}
