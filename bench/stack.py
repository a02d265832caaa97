"""The benchmark's own platform: data stores, every service (identity, sales, inventory,
notifications, support) and the gateway on free 127.0.0.1 ports, with fresh databases.
Everything started here is stopped here, by PID (``ManagedProcess`` signals its own
process group only)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from crm_devstack.infra import Infra, ensure_infra
from crm_devstack.net import LOCALHOST, free_port
from crm_devstack.postgres import create_database, drop_database
from crm_devstack.services import SERVICES as DEV_SERVICES
from crm_devstack.testing import ManagedProcess, unique_name

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVICES = tuple(spec.name for spec in DEV_SERVICES)  # every service make run starts
READY_TIMEOUT_SECONDS = 90.0
UNLIMITED = "100000000"  # rate limits out of the way: the bench measures the work, not 429s


@dataclass
class BenchStack:
    infra: Infra
    run_dir: Path
    platform_token: str
    internal_secret: str
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, ManagedProcess] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)

    @property
    def gateway_url(self) -> str:
        return f"http://{LOCALHOST}:{self.ports['gateway']}"

    def grpc_addr(self, service: str) -> str:
        return f"{LOCALHOST}:{self.ports[service]}"

    def pids(self) -> dict[str, int]:
        """Every process this bench started, by name (data stores included when ours)."""
        found = {name: proc.pid for name, proc in self.processes.items() if proc.is_running()}
        if self.infra.postgres is not None and self.infra.postgres.pid:
            found["postgres"] = self.infra.postgres.pid
        if self.infra.redis is not None:
            found["redis"] = self.infra.redis.pid
        if self.infra.nats is not None and self.infra.nats.process is not None:
            found["nats"] = self.infra.nats.process.pid
        return found

    def stop(self) -> None:
        """The gateway first, then the services, the databases, the stores."""
        for name in ("gateway", *reversed(SERVICES)):
            process = self.processes.pop(name, None)
            if process is not None:
                process.stop(grace=10)
        for name in self.databases:
            with contextlib.suppress(Exception):  # the server may already be gone
                asyncio.run(drop_database(self.infra.database_url, name))
        self.databases.clear()
        self.infra.stop()
        shutil.rmtree(self.run_dir / "stores", ignore_errors=True)


def start_stack(run_dir: Path) -> BenchStack:
    """Start it all and return once the gateway is ready; on failure nothing is left."""
    reuse_local = os.environ.get("CRM_BENCH_REUSE_LOCAL", "0") == "1"
    infra = ensure_infra(run_dir / "stores", reuse_local=reuse_local)
    stack = BenchStack(infra, run_dir, secrets.token_urlsafe(24), secrets.token_urlsafe(24))
    try:
        stack.ports = {name: free_port() for name in (*SERVICES, "gateway")}
        urls = {name: _database(stack, name) for name in SERVICES}
        for name in SERVICES:
            stack.processes[name] = _process(stack, name, _service_env(stack, name, urls[name]))
            stack.processes[name].start()
        for name in SERVICES:
            stack.processes[name].wait_grpc_ready(stack.ports[name], READY_TIMEOUT_SECONDS)
        gateway = _process(stack, "gateway", _gateway_env(stack))
        stack.processes["gateway"] = gateway.start()
        gateway.wait_http_ready(f"{stack.gateway_url}/readyz", READY_TIMEOUT_SECONDS)
    except BaseException:
        stack.stop()
        raise
    return stack


def _database(stack: BenchStack, service: str) -> str:
    name = unique_name(f"bench_{service}")
    stack.databases.append(name)
    return asyncio.run(create_database(stack.infra.database_url, name))


def _process(stack: BenchStack, name: str, env: dict[str, str]) -> ManagedProcess:
    log = stack.run_dir / "logs" / f"{name}.log"
    return ManagedProcess(name, [str(BIN / f"crm-{name}")], env=env, log_path=log, echo=False)


def _common_env(stack: BenchStack) -> dict[str, str]:
    # Production mode on purpose: the defaults an operator runs with (JSON logs at INFO).
    return {
        **os.environ,
        **stack.infra.env(),
        "CRM_ENV": "production",
        "CRM_LOG_LEVEL": os.environ.get("CRM_BENCH_LOG_LEVEL", "INFO"),
        "CRM_INTERNAL_SECRET": stack.internal_secret,
        "CRM_IDENTITY_KEY_PASSPHRASE": stack.internal_secret,
        "CRM_MARKETING_LINK_SECRET": stack.internal_secret,
        "CRM_PLATFORM_TOKEN": stack.platform_token,
        **{f"CRM_{s.upper()}_ADDR": stack.grpc_addr(s) for s in SERVICES},
    }


def _service_env(stack: BenchStack, name: str, database_url: str) -> dict[str, str]:
    return {
        **_common_env(stack),
        "CRM_SERVICE_NAME": name,
        f"CRM_{name.upper()}_DATABASE_URL": database_url,
        "CRM_MIGRATE_ON_START": "true",
        "CRM_GRPC_PORT": str(stack.ports[name]),
        "CRM_ACCESS_TOKEN_TTL_SECONDS": "3600",  # a long run must not outlive its token
    }


def _gateway_env(stack: BenchStack) -> dict[str, str]:
    return {
        **_common_env(stack),
        "CRM_SERVICE_NAME": "gateway",
        "CRM_GATEWAY_PORT": str(stack.ports["gateway"]),
        "CRM_RATE_LIMIT_PRINCIPAL_PER_MINUTE": UNLIMITED,
        "CRM_RATE_LIMIT_TENANT_PER_MINUTE": UNLIMITED,
        "CRM_RATE_LIMIT_ANONYMOUS_PER_MINUTE": UNLIMITED,
    }
