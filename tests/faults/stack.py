"""The platform as real processes on the fault tests' own stores: identity, sales,
inventory, notifications, support and the gateway, each on a fixed free port so that a
killed process comes back where its callers expect it."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from crm_devstack.net import LOCALHOST, free_port
from crm_devstack.services import SERVICES as DEV_SERVICES
from crm_devstack.testing import ManagedProcess
from tests.faults.infra import FaultInfra

BIN = Path(sys.executable).parent
PLATFORM_TOKEN = "faults-platform-token"
INTERNAL_SECRET = "faults-internal-secret"
SERVICES = tuple(spec.name for spec in DEV_SERVICES)  # every service make run starts
READY_SECONDS = 60.0
STOP_GRACE_SECONDS = 5.0
# Short enough that a consumer killed before its ack sees the event again within
# seconds (the default is 30 s), long enough for any handler of these tests.
ACK_WAIT_SECONDS = "4"


@dataclass
class FaultStack:
    infra: FaultInfra
    log_dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, ManagedProcess] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        return f"http://{LOCALHOST}:{self.ports['gateway']}"

    def metrics_url(self, name: str) -> str:
        return f"http://{LOCALHOST}:{self.ports[name + '-metrics']}/metrics"

    def process(self, name: str) -> ManagedProcess:
        return self.processes[name]

    def start(self, name: str, extra_env: Mapping[str, str] | None = None) -> None:
        """Start ``name`` (again) on its port and wait until it is ready."""
        self.launch(name, extra_env)
        self.wait_ready(name)

    def launch(self, name: str, extra_env: Mapping[str, str] | None = None) -> None:
        """Start ``name`` without waiting; ``extra_env`` applies to this start only
        (e.g. a fault-injection hook)."""
        process = self.processes[name]
        process.env = {**self._env(name), **(extra_env or {})}
        process.start()

    def wait_ready(self, name: str) -> None:
        process = self.processes[name]
        if name == "gateway":
            process.wait_http_ready(f"{self.gateway_url}/healthz", timeout=READY_SECONDS)
        else:
            process.wait_grpc_ready(self.ports[name], timeout=READY_SECONDS)

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash or an OOM kill would: no draining, no goodbye."""
        self.processes[name].kill()

    def stop_all(self) -> None:
        """SIGTERM everything at once (SIGKILL after a short grace): a throwaway stack."""
        with ThreadPoolExecutor(max_workers=len(self.processes) or 1) as pool:
            for process in self.processes.values():
                pool.submit(_stop_quietly, process)

    def _env(self, name: str) -> dict[str, str]:
        common = {
            **os.environ,
            **self.infra.env(),
            "CRM_ENV": "test",
            "CRM_SERVICE_NAME": name,
            "CRM_INTERNAL_SECRET": INTERNAL_SECRET,
            "CRM_LOG_LEVEL": "INFO",
            "CRM_OUTBOX_POLL_SECONDS": "0.2",
            "CRM_CONSUMER_ACK_WAIT_SECONDS": ACK_WAIT_SECONDS,
            **{f"CRM_{peer.upper()}_ADDR": f"{LOCALHOST}:{self.ports[peer]}" for peer in SERVICES},
        }
        if name == "gateway":
            return {**common, **_gateway_env(self.ports["gateway"])}
        return {
            **common,
            f"CRM_{name.upper()}_DATABASE_URL": self.infra.databases[name],
            "CRM_MIGRATE_ON_START": "true",
            "CRM_GRPC_PORT": str(self.ports[name]),
            "CRM_METRICS_PORT": str(self.ports[f"{name}-metrics"]),
            "CRM_SIGNING_KEY_ACTIVATION_SECONDS": "2",
        }


def _gateway_env(port: int) -> dict[str, str]:
    return {
        "CRM_GATEWAY_PORT": str(port),
        "CRM_PLATFORM_TOKEN": PLATFORM_TOKEN,
        # Bursts of writes from one user: limits are not what these tests are about
        # (test_fault_redis_down starts a gateway of its own with tight ones).
        "CRM_RATE_LIMIT_PRINCIPAL_PER_MINUTE": "100000",
        "CRM_RATE_LIMIT_TENANT_PER_MINUTE": "100000",
        "CRM_RATE_LIMIT_ANONYMOUS_PER_MINUTE": "100000",
    }


def build_stack(infra: FaultInfra, log_dir: Path) -> FaultStack:
    infra.create_databases(*SERVICES)
    stack = FaultStack(infra, log_dir)
    names = (*SERVICES, *(f"{name}-metrics" for name in SERVICES), "gateway")
    stack.ports = {name: free_port() for name in names}
    commands = {name: [str(BIN / f"crm-{name}")] for name in (*SERVICES, "gateway")}
    for name, command in commands.items():
        stack.processes[name] = ManagedProcess(
            name, command, log_path=log_dir / f"{name}.log", echo=False
        )
    try:
        for name in SERVICES:  # side by side: each migrates its own database
            stack.launch(name)
        for name in SERVICES:
            stack.wait_ready(name)
        stack.start("gateway")
    except BaseException:
        stack.stop_all()
        raise
    return stack


def extra_gateway(
    stack: FaultStack, name: str, env: Mapping[str, str]
) -> tuple[ManagedProcess, str]:
    """A second gateway on the same services (its own port and settings)."""
    port = free_port()
    process = ManagedProcess(
        name,
        [str(BIN / "crm-gateway")],
        env={**stack._env("gateway"), **_gateway_env(port), **env},
        log_path=stack.log_dir / f"{name}.log",
        echo=False,
    ).start()
    url = f"http://{LOCALHOST}:{port}"
    try:
        process.wait_http_ready(f"{url}/healthz", timeout=READY_SECONDS)
    except BaseException:
        process.stop(grace=2)
        raise
    return process, url


def _stop_quietly(process: ManagedProcess) -> None:
    with contextlib.suppress(Exception):
        process.stop(grace=STOP_GRACE_SECONDS)
