"""Fault-injection fixtures: a whole platform of its own (PostgreSQL, Valkey, NATS,
identity, sales, inventory, gateway), started once for the faults package and
stopped at its end. Tests kill and restart parts of it; before each test every
part is running and the gateway is ready again, whatever the last test left."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_devstack.testing import unique_name
from crm_devstack.waiting import wait_until
from tests.faults.infra import FaultInfra, start_fault_infra
from tests.faults.stack import PLATFORM_TOKEN, SERVICES, FaultStack, build_stack
from tests.integration.api import Api

REPO = Path(__file__).resolve().parents[2]
READY_SECONDS = 60.0


@pytest.fixture(scope="package")
def fault_infra() -> Iterator[FaultInfra]:
    root = REPO / ".data" / "fault-runs" / unique_name("f")
    infra = start_fault_infra(root)
    yield infra
    infra.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="package")
def fault_stack(fault_infra: FaultInfra) -> Iterator[FaultStack]:
    log_dir = REPO / ".data" / "test-logs" / "faults"
    log_dir.mkdir(parents=True, exist_ok=True)
    stack = build_stack(fault_infra, log_dir)
    yield stack
    stack.stop_all()


@pytest.fixture(scope="package")
def fault_api(fault_stack: FaultStack) -> Iterator[Api]:
    client = Api(fault_stack.gateway_url, PLATFORM_TOKEN)
    yield client
    client.close()


@pytest.fixture(autouse=True)
def healthy(fault_stack: FaultStack, fault_api: Api) -> None:
    """Bring back whatever an earlier test left down, then wait for /readyz."""
    infra = fault_stack.infra
    if not infra.redis_running():
        infra.start_redis()
    if not infra.nats.is_running():
        infra.restart_nats()
    if not infra.postgres_running():
        infra.start_postgres()
    for name in (*SERVICES, "gateway"):
        if not fault_stack.process(name).is_running():
            fault_stack.start(name)
    wait_until(
        lambda: fault_api.http.get("/readyz").status_code == 200,
        timeout=READY_SECONDS,
        description="the fault stack's gateway to be ready",
        interval=0.2,
    )
