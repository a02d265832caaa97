"""Gateway settings (env prefix ``CRM_``), built once by ``main`` or by a test."""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from crm_common.config import CommonSettings, InsecureSettingsError

DEV_PLATFORM_TOKEN = "dev-platform-token-change-me"  # noqa: S105 - refused outside development


class GatewaySettings(CommonSettings):
    service_name: str = "gateway"
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    identity_addr: str = "127.0.0.1:50051"
    sales_addr: str = "127.0.0.1:50052"
    inventory_addr: str = "127.0.0.1:50053"
    notifications_addr: str = "127.0.0.1:50054"
    support_addr: str = "127.0.0.1:50055"
    marketing_addr: str = "127.0.0.1:50056"
    # Live notifications (SSE): a comment line this often keeps proxies from closing
    # an idle stream; a stream ends after the max age and the browser reconnects.
    notifications_heartbeat_seconds: float = Field(default=15.0, gt=0)
    notifications_stream_max_seconds: float = Field(default=3600.0, gt=0)

    # Operators creating tenants present this in ``X-Platform-Token``.
    platform_token: SecretStr = SecretStr(DEV_PLATFORM_TOKEN)
    # JSON list or comma-separated: CRM_CORS_ORIGINS=https://a.example,https://b.example
    cors_origins: Annotated[list[str], NoDecode] = []
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    upstream_deadline_seconds: float = Field(default=5.0, gt=0)
    # Each part of the account 360 view waits this long before it is marked "timeout".
    overview_part_deadline_seconds: float = Field(default=2.0, gt=0)
    # Kept short: a Redis that hangs must not hang every request (see ratelimit.py).
    redis_timeout_seconds: float = Field(default=0.5, gt=0)

    rate_limit_tenant_per_minute: int = Field(default=6000, ge=1)
    rate_limit_principal_per_minute: int = Field(default=1200, ge=1)
    rate_limit_anonymous_per_minute: int = Field(default=60, ge=1)

    jwks_min_refresh_seconds: float = Field(default=5.0, ge=0)
    token_leeway_seconds: int = Field(default=10, ge=0)
    idempotency_ttl_seconds: int = Field(default=86400, ge=60)
    # Only behind a proxy that overwrites X-Forwarded-For; otherwise clients could
    # pick their own rate-limit bucket.
    trust_forwarded_for: bool = False

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [origin.strip() for origin in text.split(",") if origin.strip()]
        return value

    def check_secrets(self) -> None:
        super().check_secrets()
        if self.env != "development" and (
            self.platform_token.get_secret_value() == DEV_PLATFORM_TOKEN
        ):
            raise InsecureSettingsError("CRM_PLATFORM_TOKEN must be set outside development")
