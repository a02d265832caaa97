"""Settings of the inventory service (env prefix CRM_)."""

from __future__ import annotations

from pydantic import Field

from crm_common.config import ServiceSettings


class InventorySettings(ServiceSettings):
    service_name: str = "inventory"
    grpc_port: int = 50053
    inventory_database_url: str | None = None
    # Identity answers ResolveAccess; the answer is cached this long per principal.
    identity_addr: str = "127.0.0.1:50051"
    access_cache_seconds: float = Field(default=5.0, ge=0)
    # How often the overdue check runs (every replica; each invoice turns overdue once).
    invoice_overdue_poll_seconds: float = Field(default=60.0, gt=0)
    # How often the recurring generator runs (every replica; each period is billed once).
    recurring_poll_seconds: float = Field(default=60.0, gt=0)

    @property
    def database(self) -> str:
        return self.service_database_url("inventory", self.inventory_database_url)
