"""End-to-end fixtures: real PostgreSQL, Redis and NATS (reused when this machine
has them, throwaway otherwise), and the services and the gateway as real
processes talking gRPC over sockets. Everything started here is stopped here."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
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
PRINCIPAL_LIMIT_PER_MINUTE = 1000  # the access matrix alone makes hundreds of calls a minute


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


def _common_env(infra: Infra) -> dict[str, str]:
    return {
        **os.environ,
        **infra.env(),
        "CRM_ENV": "test",
        "CRM_INTERNAL_SECRET": INTERNAL_SECRET,
        "CRM_LOG_LEVEL": "INFO",
        "CRM_OUTBOX_POLL_SECONDS": "0.2",
    }


@pytest.fixture(scope="session")
def stack(infra: Infra) -> Iterator[Stack]:
    log_dir = REPO / ".data" / "test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    db_name = unique_name("it_identity")
    db_url = asyncio.run(create_database(infra.database_url, db_name))
    sales_db_name = unique_name("it_sales")
    sales_db_url = asyncio.run(create_database(infra.database_url, sales_db_name))
    inventory_db_name = unique_name("it_inventory")
    inventory_db_url = asyncio.run(create_database(infra.database_url, inventory_db_name))
    inventory_port = free_port()
    notifications_db_name = unique_name("it_notifications")
    notifications_db_url = asyncio.run(create_database(infra.database_url, notifications_db_name))
    notifications_port = free_port()
    identity_port, sales_port, gateway_port = free_port(), free_port(), free_port()
    identity = ManagedProcess(
        "identity",
        [str(BIN / "crm-identity")],
        env={
            **_common_env(infra),
            "CRM_SERVICE_NAME": "identity",
            "CRM_IDENTITY_DATABASE_URL": db_url,
            "CRM_MIGRATE_ON_START": "true",
            "CRM_GRPC_PORT": str(identity_port),
            "CRM_LOGIN_MAX_FAILURES": "5",
            "CRM_SIGNING_KEY_ACTIVATION_SECONDS": "2",
            "CRM_SIGNING_KEY_CACHE_SECONDS": "1",
        },
        log_path=log_dir / "identity.log",
        echo=False,
    ).start()
    sales = ManagedProcess(
        "sales",
        [str(BIN / "crm-sales")],
        env={
            **_common_env(infra),
            "CRM_SERVICE_NAME": "sales",
            "CRM_SALES_DATABASE_URL": sales_db_url,
            "CRM_MIGRATE_ON_START": "true",
            "CRM_GRPC_PORT": str(sales_port),
            "CRM_IDENTITY_ADDR": f"{LOCALHOST}:{identity_port}",
            "CRM_INVENTORY_ADDR": f"{LOCALHOST}:{inventory_port}",  # quote pricing
        },
        log_path=log_dir / "sales.log",
        echo=False,
    ).start()
    inventory = ManagedProcess(
        "inventory",
        [str(BIN / "crm-inventory")],
        env={
            **_common_env(infra),
            "CRM_SERVICE_NAME": "inventory",
            "CRM_INVENTORY_DATABASE_URL": inventory_db_url,
            "CRM_MIGRATE_ON_START": "true",
            "CRM_RECURRING_POLL_SECONDS": "0.5",  # subscriptions bill within a test's poll
            "CRM_GRPC_PORT": str(inventory_port),
            "CRM_IDENTITY_ADDR": f"{LOCALHOST}:{identity_port}",
        },
        log_path=log_dir / "inventory.log",
        echo=False,
    ).start()
    notifications = ManagedProcess(
        "notifications",
        [str(BIN / "crm-notifications")],
        env={
            **_common_env(infra),
            "CRM_SERVICE_NAME": "notifications",
            "CRM_NOTIFICATIONS_DATABASE_URL": notifications_db_url,
            "CRM_MIGRATE_ON_START": "true",
            "CRM_GRPC_PORT": str(notifications_port),
            "CRM_SALES_ADDR": f"{LOCALHOST}:{sales_port}",  # may the caller see the record
        },
        log_path=log_dir / "notifications.log",
        echo=False,
    ).start()
    gateway = ManagedProcess(
        "gateway",
        [str(BIN / "crm-gateway")],
        env={
            **_common_env(infra),
            "CRM_SERVICE_NAME": "gateway",
            "CRM_GATEWAY_PORT": str(gateway_port),
            "CRM_IDENTITY_ADDR": f"{LOCALHOST}:{identity_port}",
            "CRM_SALES_ADDR": f"{LOCALHOST}:{sales_port}",
            "CRM_INVENTORY_ADDR": f"{LOCALHOST}:{inventory_port}",
            "CRM_NOTIFICATIONS_ADDR": f"{LOCALHOST}:{notifications_port}",
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
        identity.wait_grpc_ready(identity_port, timeout=60)
        sales.wait_grpc_ready(sales_port, timeout=60)
        inventory.wait_grpc_ready(inventory_port, timeout=60)
        notifications.wait_grpc_ready(notifications_port, timeout=60)
        gateway.start()
        gateway.wait_http_ready(f"http://{LOCALHOST}:{gateway_port}/readyz", timeout=60)
        yield Stack(
            infra,
            f"http://{LOCALHOST}:{gateway_port}",
            identity_port,
            db_url,
            identity,
            gateway,
            log_dir,
            sales_port,
            sales,
            inventory_port,
            inventory,
            notifications_port,
            notifications,
        )
    finally:
        gateway.stop()
        notifications.stop()
        inventory.stop()
        sales.stop()
        identity.stop()
        asyncio.run(drop_database(infra.database_url, db_name))
        asyncio.run(drop_database(infra.database_url, sales_db_name))
        asyncio.run(drop_database(infra.database_url, inventory_db_name))
        asyncio.run(drop_database(infra.database_url, notifications_db_name))


@pytest.fixture(scope="session")
def api(stack: Stack) -> Iterator[Api]:
    client = Api(stack.gateway_url, PLATFORM_TOKEN)
    yield client
    client.close()
