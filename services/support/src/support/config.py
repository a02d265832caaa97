"""Settings of the support service (env prefix CRM_)."""

from __future__ import annotations

from pydantic import Field

from crm_common.config import ServiceSettings


class SupportSettings(ServiceSettings):
    service_name: str = "support"
    grpc_port: int = 50055
    support_database_url: str | None = None
    # Identity answers ResolveAccess (cached this long per principal), group members
    # for case assignment and the org chart for escalation managers.
    identity_addr: str = "127.0.0.1:50051"
    access_cache_seconds: float = Field(default=5.0, ge=0)
    # How often the SLA scheduler looks for warnings, breaches and escalations
    # (every replica runs it; each event is published once per case and target).
    sla_poll_seconds: float = Field(default=15.0, gt=0)
    # Days after its resolution (or closing) within which a case may be reopened;
    # later a reopen is refused (409) and a new case is the way.
    reopen_days: int = Field(default=7, ge=0, le=3650)
    # How often service contracts are checked for expiry warnings.
    contract_poll_seconds: float = Field(default=3600.0, gt=0)
    # Days before its end date that a service contract announces it is expiring.
    contract_expiry_warning_days: int = Field(default=30, ge=1, le=365)

    @property
    def database(self) -> str:
        return self.service_database_url("support", self.support_database_url)
