"""What ``make run`` starts, on which ports, and with which environment.

New services append one ``ServiceSpec`` to ``SERVICES``; the gateway starts last and
learns every service's address from ``CRM_<NAME>_ADDR``.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crm_devstack.dev_secrets import DevSecrets
from crm_devstack.net import LOCALHOST


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    command: tuple[str, ...]
    grpc_port: int | None = None
    metrics_port: int | None = None  # None: metrics are served on http_port's /metrics
    http_port: int | None = None

    @property
    def grpc_addr(self) -> str | None:
        return None if self.grpc_port is None else f"{LOCALHOST}:{self.grpc_port}"

    @property
    def base_url(self) -> str | None:
        return None if self.http_port is None else f"http://{LOCALHOST}:{self.http_port}"

    @property
    def metrics_url(self) -> str | None:
        if self.metrics_port is not None:
            return f"http://{LOCALHOST}:{self.metrics_port}/metrics"
        return None if self.base_url is None else f"{self.base_url}/metrics"

    @property
    def readiness_url(self) -> str | None:
        """HTTP services are ready on ``/readyz``; gRPC ones through the health service."""
        return None if self.base_url is None else f"{self.base_url}/readyz"

    @property
    def addr_env_var(self) -> str:
        return f"CRM_{self.name.upper().replace('-', '_')}_ADDR"


SERVICES: list[ServiceSpec] = [
    ServiceSpec(name="identity", command=("crm-identity",), grpc_port=50051, metrics_port=9101),
    ServiceSpec(name="sales", command=("crm-sales",), grpc_port=50052, metrics_port=9102),
    ServiceSpec(name="inventory", command=("crm-inventory",), grpc_port=50053, metrics_port=9103),
    ServiceSpec(
        name="notifications", command=("crm-notifications",), grpc_port=50054, metrics_port=9104
    ),
    ServiceSpec(name="support", command=("crm-support",), grpc_port=50055, metrics_port=9105),
    ServiceSpec(name="marketing", command=("crm-marketing",), grpc_port=50056, metrics_port=9106),
]

GATEWAY = ServiceSpec(name="gateway", command=("crm-gateway",), http_port=8080)


def all_specs() -> list[ServiceSpec]:
    """Start order: services first, the gateway (which calls them) last."""
    return [*SERVICES, GATEWAY]


def resolve_command(command: Sequence[str], bin_dir: Path | None = None) -> list[str] | None:
    """The command with its executable made absolute: the venv's ``bin/`` (beside this
    interpreter) first, then PATH. None when the executable is not installed."""
    scripts = bin_dir or Path(sys.executable).parent
    executable, *arguments = command
    beside_python = scripts / executable
    if beside_python.exists():
        return [str(beside_python), *arguments]
    found = shutil.which(executable)
    return None if found is None else [found, *arguments]


def build_service_env(
    spec: ServiceSpec,
    *,
    store_env: Mapping[str, str],
    dev_secrets: DevSecrets,
    specs: Sequence[ServiceSpec],
    parent_env: Mapping[str, str],
) -> dict[str, str]:
    """The parent's environment plus what ``spec`` needs: where the stores are, the
    shared secrets, its own ports and every other service's address."""
    env = dict(parent_env)
    env.update(store_env)
    env.update(
        {
            "CRM_ENV": "development",
            "CRM_SERVICE_NAME": spec.name,
            "CRM_MIGRATE_ON_START": "true",
            "CRM_INTERNAL_SECRET": dev_secrets.internal_secret,
            "CRM_PLATFORM_TOKEN": dev_secrets.platform_token,
            "CRM_IDENTITY_KEY_PASSPHRASE": dev_secrets.identity_key_passphrase,
        }
    )
    env.update(_port_env(spec))
    env.update(service_addresses(specs))
    return env


def _port_env(spec: ServiceSpec) -> dict[str, str]:
    ports: dict[str, str] = {}
    if spec.grpc_port is not None:
        ports["CRM_GRPC_PORT"] = str(spec.grpc_port)
    if spec.metrics_port is not None:
        ports["CRM_METRICS_PORT"] = str(spec.metrics_port)
    if spec.http_port is not None:
        ports[f"CRM_{spec.name.upper()}_PORT"] = str(spec.http_port)
    return ports


def service_addresses(specs: Sequence[ServiceSpec]) -> dict[str, str]:
    """``CRM_IDENTITY_ADDR=127.0.0.1:50051`` and so on for every gRPC service."""
    return {spec.addr_env_var: spec.grpc_addr for spec in specs if spec.grpc_addr is not None}
