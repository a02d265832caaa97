"""Settings of the marketing service (env prefix CRM_)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from crm_common.config import InsecureSettingsError, ServiceSettings

DEV_LINK_SECRET = "dev-marketing-link-secret"  # noqa: S105 - refused outside development


class MarketingSettings(ServiceSettings):
    service_name: str = "marketing"
    grpc_port: int = 50056
    marketing_database_url: str | None = None
    # Identity answers ResolveAccess (cached this long per principal).
    identity_addr: str = "127.0.0.1:50051"
    access_cache_seconds: float = Field(default=5.0, ge=0)
    # Sales answers the marketing profile of a lead or contact named in its events.
    sales_addr: str = "127.0.0.1:50052"
    # Public links in e-mail (unsubscribe, tracking): where the gateway is, and
    # the HMAC secret that signs their tokens.
    public_base_url: str = "http://127.0.0.1:8000"
    marketing_link_secret: SecretStr = SecretStr(DEV_LINK_SECRET)
    # Defaults of a tenant's settings until it changes them.
    default_mql_threshold: int = Field(default=50, ge=1, le=100)
    default_mails_per_minute: int = Field(default=60, ge=1, le=10000)
    # Background jobs: queued e-mail (throttled), due sequence steps, score decay.
    marketing_dispatch_poll_seconds: float = Field(default=1.0, gt=0)
    marketing_sequence_poll_seconds: float = Field(default=2.0, gt=0)
    marketing_rescore_poll_seconds: float = Field(default=3600.0, gt=0)

    @property
    def database(self) -> str:
        return self.service_database_url("marketing", self.marketing_database_url)

    def check_secrets(self) -> None:
        super().check_secrets()
        if self.env == "production" and (
            self.marketing_link_secret.get_secret_value() == DEV_LINK_SECRET
        ):
            raise InsecureSettingsError("CRM_MARKETING_LINK_SECRET must be set in production")
