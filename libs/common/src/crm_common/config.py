"""Typed settings shared by every process; each service extends CommonSettings.

Every setting comes from the environment (prefix ``CRM_``). Nothing is read at
import time: ``bootstrap.py`` of each service builds its settings once.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_INTERNAL_SECRET = "dev-internal-secret-change-me"  # noqa: S105 - refused outside development


class InsecureSettingsError(RuntimeError):
    """A development default secret was left in place outside development."""


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CRM_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    service_name: str = "crm"
    log_level: str = "INFO"

    # Data stores. ``database_url`` names a server (and optionally a database);
    # each service uses its own database on it unless ``<service>_database_url`` is set.
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    db_pool_size: int = 10
    db_max_overflow: int = 10
    redis_url: str = "redis://127.0.0.1:6379/0"
    nats_url: str = "nats://127.0.0.1:4222"

    # Network
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 50051
    metrics_port: int = 0  # 0 = no metrics server
    shutdown_grace_seconds: float = 10.0

    # Tracing: spans are exported only when an OTLP endpoint is configured.
    otlp_endpoint: str | None = None

    # Signs the principal the gateway passes to services in gRPC metadata.
    internal_secret: SecretStr = SecretStr(DEV_INTERNAL_SECRET)

    # Outbox relay and consumers
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    consumer_max_deliveries: int = Field(default=5, ge=1)
    # How long JetStream waits for an ack before redelivering (also a handler's time
    # limit): a consumer that died mid-event sees the event again after this long.
    consumer_ack_wait_seconds: float = Field(default=30.0, gt=0)
    # Fault injection for tests/faults only, off by default and ignored in production:
    # "before_commit" or "before_ack" makes every consumer pause there this long, so a
    # test can kill the process at a known point of handling an event.
    fault_consumer_pause_at: Literal["", "before_commit", "before_ack"] = ""
    fault_consumer_pause_seconds: float = Field(default=0.0, ge=0)

    def check_secrets(self) -> None:
        """Fail loudly when a development secret is used outside development."""
        if self.env == "production" and (
            self.internal_secret.get_secret_value() == DEV_INTERNAL_SECRET
        ):
            raise InsecureSettingsError("CRM_INTERNAL_SECRET must be set in production")

    def service_database_url(self, service: str, override: str | None = None) -> str:
        """URL of ``service``'s own database: the override, else database ``crm_<service>``
        on the server that ``database_url`` points at."""
        if override:
            return override
        parts = urlsplit(self.database_url)
        return urlunsplit(parts._replace(path=f"/crm_{service}"))


class ServiceSettings(CommonSettings):
    """A service with a database of its own (``crm_<service>`` unless overridden)."""

    # Single-replica setups migrate at start; clusters run ``<service> migrate`` as a Job.
    migrate_on_start: bool = False

    @property
    def database(self) -> str:
        return self.service_database_url(self.service_name)
