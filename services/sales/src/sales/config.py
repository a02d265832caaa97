"""Settings of the sales service (env prefix CRM_)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from crm_common.config import ServiceSettings


class SalesSettings(ServiceSettings):
    service_name: str = "sales"
    grpc_port: int = 50052
    sales_database_url: str | None = None
    # Identity answers ResolveAccess; the answer is cached this long per principal.
    identity_addr: str = "127.0.0.1:50051"
    access_cache_seconds: float = Field(default=5.0, ge=0)
    # How often the reminder job looks for due activity reminders.
    activity_reminder_poll_seconds: float = Field(default=5.0, gt=0)
    # Inventory prices quote lines (PriceQuote); a line discount above this percent
    # needs a manager's approval before the quote is sent.
    inventory_addr: str = "127.0.0.1:50053"
    quote_approval_discount_percent: Decimal = Field(default=Decimal(20), ge=0, le=100)
    # How often the expiry job marks sent quotes past valid_until as expired.
    quote_expiry_poll_seconds: float = Field(default=60.0, gt=0)

    @property
    def database(self) -> str:
        return self.service_database_url("sales", self.sales_database_url)
