"""Settings of the marketing service (env prefix CRM_)."""

from __future__ import annotations

from pydantic import Field

from crm_common.config import ServiceSettings


class MarketingSettings(ServiceSettings):
    service_name: str = "marketing"
    grpc_port: int = 50056
    marketing_database_url: str | None = None
    # Identity answers ResolveAccess (cached this long per principal).
    identity_addr: str = "127.0.0.1:50051"
    access_cache_seconds: float = Field(default=5.0, ge=0)
    # Sales answers the marketing profile of a lead or contact named in its events.
    sales_addr: str = "127.0.0.1:50052"

    @property
    def database(self) -> str:
        return self.service_database_url("marketing", self.marketing_database_url)
