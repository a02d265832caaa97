"""End-to-end fixtures: real PostgreSQL, Redis and NATS (reused when this machine
has them, throwaway otherwise), and the services and the gateway as real
processes talking gRPC over sockets. Everything started here is stopped here."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crm_devstack.infra import Infra
from crm_devstack.net import LOCALHOST, free_port
from crm_devstack.postgres import create_database, drop_database
from crm_devstack.testing import ManagedProcess, unique_name
from tests.integration.api import Api

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLATFORM_TOKEN = "it-platform-token"
INTERNAL_SECRET = "it-internal-secret"
PRINCIPAL_LIMIT_PER_MINUTE = 2000  # the access matrix alone makes over a thousand calls a minute


@dataclass
class Stack:
    infra: Infra
    gateway_url: str
    identity_port: int
    identity_db_url: str
    identity: ManagedProcess
    gateway: ManagedProcess
    log_dir: Path
    sales_port: int = 0
    sales: ManagedProcess | None = None
    inventory_port: int = 0
    inventory: ManagedProcess | None = None
    notifications_port: int = 0
    notifications: ManagedProcess | None = None
    support_port: int = 0
    support: ManagedProcess | None = None
    # Every service's database (a test may start a second replica on one).
    db_urls: dict[str, str] = field(default_factory=dict)
    # Every service's Prometheus port (the gateway serves /metrics on its own port).
    metrics_ports: dict[str, int] = field(default_factory=dict)


def _common_env(infra: Infra) -> dict[str, str]:
    return {
        **os.environ,
        **infra.env(),
        "CRM_ENV": "test",
        "CRM_INTERNAL_SECRET": INTERNAL_SECRET,
        "CRM_LOG_LEVEL": "INFO",
        "CRM_OUTBOX_POLL_SECONDS": "0.2",
        # Six services, a second replica and the service tests' own engines share one
        # PostgreSQL (max_connections is often 100): keep each process's pool small.
        "CRM_DB_POOL_SIZE": "4",
        "CRM_DB_MAX_OVERFLOW": "6",
    }


# Each service's own settings beyond the common ones; "{name}" is a peer's address.
SERVICE_ENV: dict[str, dict[str, str]] = {
    "identity": {
        "CRM_LOGIN_MAX_FAILURES": "5",
        "CRM_SIGNING_KEY_ACTIVATION_SECONDS": "2",
        "CRM_SIGNING_KEY_CACHE_SECONDS": "1",
    },
    "sales": {
        "CRM_IDENTITY_ADDR": "{identity}",
        "CRM_INVENTORY_ADDR": "{inventory}",  # quote pricing
    },
    "inventory": {
        "CRM_IDENTITY_ADDR": "{identity}",
        "CRM_RECURRING_POLL_SECONDS": "0.5",  # subscriptions bill within a test's poll
    },
    "notifications": {
        "CRM_SALES_ADDR": "{sales}",  # may the caller see the record
        "CRM_IDENTITY_ADDR": "{identity}",  # users' e-mail, language, time zone; groups
        # Webhooks: a receiver on 127.0.0.1 over http, retried every 2 s at most, never
        # given up on within a test (test_webhooks.py keeps one down for a minute).
        "CRM_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "CRM_WEBHOOK_POLL_SECONDS": "0.2",
        "CRM_WEBHOOK_BACKOFF_BASE_SECONDS": "0.2",
        "CRM_WEBHOOK_BACKOFF_MAX_SECONDS": "2",
        "CRM_WEBHOOK_MAX_ATTEMPTS": "1000",
        # E-mail: the sender polls often, retries soon (test_notification_email.py).
        "CRM_EMAIL_POLL_SECONDS": "0.2",
        "CRM_EMAIL_BACKOFF_SECONDS": "0.2",
        "CRM_EMAIL_BACKOFF_MAX_SECONDS": "1",
        "CRM_SMTP_TIMEOUT_SECONDS": "5",
    },
    "marketing": {"CRM_IDENTITY_ADDR": "{identity}", "CRM_SALES_ADDR": "{sales}"},
    "support": {
        "CRM_IDENTITY_ADDR": "{identity}",
        "CRM_SLA_POLL_SECONDS": "0.5",  # warnings and breaches within a test's poll
    },
}


def _service(
    infra: Infra, log_dir: Path, name: str, db_url: str, ports: dict[str, int], metrics_port: int
) -> ManagedProcess:
    addrs = {peer: f"{LOCALHOST}:{port}" for peer, port in ports.items()}
    return ManagedProcess(
        name,
        [str(BIN / f"crm-{name}")],
        env={
            **_common_env(infra),
            "CRM_SERVICE_NAME": name,
            f"CRM_{name.upper()}_DATABASE_URL": db_url,
            "CRM_MIGRATE_ON_START": "true",
            "CRM_GRPC_PORT": str(ports[name]),
            "CRM_METRICS_PORT": str(metrics_port),
            **{key: value.format(**addrs) for key, value in SERVICE_ENV[name].items()},
        },
        log_path=log_dir / f"{name}.log",
        echo=False,
    ).start()


@pytest.fixture(scope="session")
def stack(infra: Infra) -> Iterator[Stack]:
    log_dir = REPO / ".data" / "test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    db_names = {name: unique_name(f"it_{name}") for name in SERVICE_ENV}
    db_urls = {
        name: asyncio.run(create_database(infra.database_url, db_name))
        for name, db_name in db_names.items()
    }
    ports = {name: free_port() for name in SERVICE_ENV}
    gateway_port = free_port()
    metrics_ports = {name: free_port() for name in SERVICE_ENV}
    services = {
        name: _service(infra, log_dir, name, db_urls[name], ports, metrics_ports[name])
        for name in SERVICE_ENV
    }
    gateway = ManagedProcess(
        "gateway",
        [str(BIN / "crm-gateway")],
        env={
            **_common_env(infra),
            "CRM_SERVICE_NAME": "gateway",
            "CRM_GATEWAY_PORT": str(gateway_port),
            **{f"CRM_{name.upper()}_ADDR": f"{LOCALHOST}:{port}" for name, port in ports.items()},
            "CRM_PLATFORM_TOKEN": PLATFORM_TOKEN,
            "CRM_RATE_LIMIT_PRINCIPAL_PER_MINUTE": str(PRINCIPAL_LIMIT_PER_MINUTE),
            "CRM_RATE_LIMIT_TENANT_PER_MINUTE": "100000",
            "CRM_RATE_LIMIT_ANONYMOUS_PER_MINUTE": "100000",
            "CRM_JWKS_MIN_REFRESH_SECONDS": "1",
        },
        log_path=log_dir / "gateway.log",
        echo=False,
    )
    try:
        for name, process in services.items():
            process.wait_grpc_ready(ports[name], timeout=60)
        gateway.start()
        gateway.wait_http_ready(f"http://{LOCALHOST}:{gateway_port}/readyz", timeout=60)
        yield Stack(
            infra,
            f"http://{LOCALHOST}:{gateway_port}",
            ports["identity"],
            db_urls["identity"],
            services["identity"],
            gateway,
            log_dir,
            ports["sales"],
            services["sales"],
            ports["inventory"],
            services["inventory"],
            ports["notifications"],
            services["notifications"],
            ports["support"],
            services["support"],
            db_urls,
            metrics_ports,
        )
    finally:
        gateway.stop()
        for process in reversed(services.values()):
            process.stop()
        for db_name in db_names.values():
            asyncio.run(drop_database(infra.database_url, db_name))


@pytest.fixture(scope="session")
def api(stack: Stack) -> Iterator[Api]:
    client = Api(stack.gateway_url, PLATFORM_TOKEN)
    yield client
    client.close()
