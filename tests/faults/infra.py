"""The fault tests' own data stores: an embedded PostgreSQL (Unix socket only), a
Valkey and a NATS server, all under one directory of this run and all started by
us, so killing them never touches a server anybody else uses (the machine's
PostgreSQL on 5432 and Redis on 6379 are never even looked at)."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from crm_devstack.nats import NatsServer, start_nats_server
from crm_devstack.net import LOCALHOST, free_port
from crm_devstack.postgres import EmbeddedPostgres, create_database, start_embedded_postgres
from crm_devstack.processes import kill_process_group, stop_process_group
from crm_devstack.redis import redis_answers_ping, valkey_server_binary
from crm_devstack.waiting import wait_until

READY_SECONDS = 20.0


@dataclass
class FaultInfra:
    root: Path
    postgres: EmbeddedPostgres
    nats: NatsServer
    redis_port: int
    redis_process: subprocess.Popen[bytes] | None = None
    databases: dict[str, str] = field(default_factory=dict)  # service -> database URL

    @property
    def admin_url(self) -> str:
        return self.postgres.sqlalchemy_url

    @property
    def redis_url(self) -> str:
        return f"redis://{LOCALHOST}:{self.redis_port}/0"

    def env(self) -> dict[str, str]:
        return {
            "CRM_DATABASE_URL": self.admin_url,
            "CRM_REDIS_URL": self.redis_url,
            "CRM_NATS_URL": self.nats.url,
        }

    def create_databases(self, *services: str) -> None:
        for service in services:
            self.databases[service] = asyncio.run(
                create_database(self.admin_url, f"fault_{service}")
            )

    # -- PostgreSQL ----------------------------------------------------------------------

    def stop_postgres(self) -> None:
        """Fast shutdown: every open session is cut, as in a failover or a restart."""
        self.postgres.stop()

    def postgres_running(self) -> bool:
        return self.postgres.pid is not None

    def start_postgres(self) -> None:
        """Same data dir, so the same socket and the same URL as before."""
        self.postgres = start_embedded_postgres(self.root / "pg")

    # -- Redis (Valkey) ------------------------------------------------------------------

    def start_redis(self) -> None:
        """Valkey on ``redis_port`` (the same one after a restart): nothing persisted."""
        command = [str(valkey_server_binary()), "--bind", LOCALHOST,
                   "--port", str(self.redis_port), "--save", "", "--appendonly", "no",
                   "--dir", str(self.root)]  # fmt: skip
        with (self.root / "redis.log").open("ab") as log:
            self.redis_process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(
            lambda: redis_answers_ping(self.redis_url),
            timeout=READY_SECONDS,
            description=f"valkey on :{self.redis_port}",
        )

    def kill_redis(self) -> None:
        if self.redis_process is not None:
            kill_process_group(self.redis_process)
            self.redis_process = None

    def redis_running(self) -> bool:
        return self.redis_process is not None and self.redis_process.poll() is None

    # -- NATS ----------------------------------------------------------------------------

    def restart_nats(self) -> None:
        """The same port and store dir: JetStream keeps its streams and consumers."""
        self.nats.start(timeout=READY_SECONDS)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.nats.stop()
        if self.redis_process is not None:
            with contextlib.suppress(Exception):
                stop_process_group(self.redis_process, 2.0)
        with contextlib.suppress(Exception):
            self.postgres.stop()


def start_fault_infra(root: Path) -> FaultInfra:
    root.mkdir(parents=True, exist_ok=True)
    postgres = start_embedded_postgres(root / "pg")
    try:
        nats = start_nats_server(root / "nats")
    except BaseException:
        postgres.stop()
        raise
    infra = FaultInfra(root, postgres, nats, redis_port=free_port())
    try:
        infra.start_redis()
    except BaseException:
        infra.stop()  # never leave half a stack running
        raise
    return infra
