"""Settings of the notifications service (env prefix CRM_)."""

from __future__ import annotations

from crm_common.config import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    grpc_port: int = 50054
    notifications_database_url: str | None = None
    # Sales answers whether the caller may see a record they want to follow.
    sales_addr: str = "127.0.0.1:50052"
    # Identity answers who users are (e-mail, language, time zone) and who is in a group.
    identity_addr: str = "127.0.0.1:50051"

    @property
    def database(self) -> str:
        return self.service_database_url("notifications", self.notifications_database_url)
