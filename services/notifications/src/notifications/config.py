"""Settings of the notifications service (env prefix CRM_)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from crm_common.config import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    grpc_port: int = 50054
    notifications_database_url: str | None = None
    # Sales answers whether the caller may see a record they want to follow.
    sales_addr: str = "127.0.0.1:50052"
    # Identity answers who users are (e-mail, language, time zone) and who is in a group.
    identity_addr: str = "127.0.0.1:50051"
    # E-mail channel (service_layer/email_*.py): the sender's poll, retries with
    # exponential backoff (first delay doubles per attempt, capped), SMTP timeout,
    # and the key that encrypts tenants' SMTP passwords (empty: derived from the
    # internal secret).
    email_poll_seconds: float = 5.0
    email_batch: int = 50
    email_concurrency: int = 4
    email_max_attempts: int = 6
    email_backoff_seconds: float = 30.0
    email_backoff_max_seconds: float = 3600.0
    smtp_timeout_seconds: float = 15.0
    email_secret_key: SecretStr = SecretStr("")
    # Identity's answers on who may manage webhooks and e-mail settings (one resolver
    # for both) are cached this long per principal.
    access_cache_seconds: float = Field(default=5.0, ge=0)
    # Webhooks (service_layer/webhook_*.py, docs/webhooks.md): the dispatcher's poll; retries
    # with exponential backoff and jitter (base doubles per attempt, capped) up to
    # max attempts, then failed; an endpoint is disabled after that many failed
    # deliveries in a row or that long without a success. Private and loopback
    # targets (and http to them) only for development and tests.
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_concurrency: int = Field(default=16, ge=1)
    webhook_backoff_base_seconds: float = Field(default=2.0, gt=0)
    webhook_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_max_attempts: int = Field(default=12, ge=1)
    webhook_disable_after_failures: int = Field(default=20, ge=1)
    webhook_disable_after_seconds: float = Field(default=86400.0, gt=0)
    webhook_allow_private_targets: bool = False

    @property
    def database(self) -> str:
        return self.service_database_url("notifications", self.notifications_database_url)
