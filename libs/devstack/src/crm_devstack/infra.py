"""Decide, per data store, what this machine uses, and start what is missing.

Order of preference for each store: the ``CRM_*_URL`` environment variable, then (only
with ``reuse_local``, i.e. in tests) a server already listening on its default local
port, then an embedded one under ``data_dir``. NATS is never reused: tests kill and
restart it, which must not touch anybody else's server.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crm_devstack.nats import NatsServer, start_nats_server
from crm_devstack.net import LOCALHOST, tcp_reachable
from crm_devstack.postgres import (
    EmbeddedPostgres,
    postgres_accepts_login,
    start_embedded_postgres,
)
from crm_devstack.redis import EmbeddedRedis, redis_answers_ping, start_embedded_redis

DATABASE_URL_ENV = "CRM_DATABASE_URL"
REDIS_URL_ENV = "CRM_REDIS_URL"
NATS_URL_ENV = "CRM_NATS_URL"

LOCAL_POSTGRES_PORT = 5432
LOCAL_POSTGRES_URL = f"postgresql+asyncpg://postgres@{LOCALHOST}:{LOCAL_POSTGRES_PORT}/postgres"
LOCAL_REDIS_URL = f"redis://{LOCALHOST}:6379/0"


@dataclass
class Infra:
    """Where the data stores are; the handles are set only for what this Infra started."""

    database_url: str = ""
    redis_url: str = ""
    nats_url: str = ""
    postgres: EmbeddedPostgres | None = None
    redis: EmbeddedRedis | None = None
    nats: NatsServer | None = None

    def env(self) -> dict[str, str]:
        """The ``CRM_*_URL`` variables a service needs to find the stores."""
        return {
            DATABASE_URL_ENV: self.database_url,
            REDIS_URL_ENV: self.redis_url,
            NATS_URL_ENV: self.nats_url,
        }

    def export_lines(self) -> list[str]:
        return [f"export {name}='{value}'" for name, value in self.env().items()]

    def stop(self) -> None:
        """Stop what this Infra started, in reverse start order; never a reused server."""
        for started in (self.nats, self.redis, self.postgres):
            if started is not None:
                with contextlib.suppress(Exception):  # stop the rest even if one fails
                    started.stop()
        self.nats = self.redis = self.postgres = None


def ensure_infra(
    data_dir: Path, *, reuse_local: bool, environ: Mapping[str, str] | None = None
) -> Infra:
    """PostgreSQL, Redis and NATS for this machine; see the module docstring."""
    env = os.environ if environ is None else environ
    data_dir.mkdir(parents=True, exist_ok=True)
    infra = Infra()
    try:
        _choose_postgres(infra, data_dir, env, reuse_local)
        _choose_redis(infra, data_dir, env, reuse_local)
        _choose_nats(infra, data_dir, env)
    except BaseException:
        infra.stop()  # don't leave half a stack running
        raise
    return infra


def _choose_postgres(
    infra: Infra, data_dir: Path, env: Mapping[str, str], reuse_local: bool
) -> None:
    if env.get(DATABASE_URL_ENV):
        infra.database_url = env[DATABASE_URL_ENV]
    elif reuse_local and _local_postgres_usable():
        infra.database_url = LOCAL_POSTGRES_URL
    else:
        infra.postgres = start_embedded_postgres(data_dir / "postgres")
        infra.database_url = infra.postgres.sqlalchemy_url


def _local_postgres_usable() -> bool:
    # The TCP check first: it answers "nothing there" in microseconds.
    return tcp_reachable(LOCALHOST, LOCAL_POSTGRES_PORT) and postgres_accepts_login(
        LOCAL_POSTGRES_URL
    )


def _choose_redis(infra: Infra, data_dir: Path, env: Mapping[str, str], reuse_local: bool) -> None:
    if env.get(REDIS_URL_ENV):
        infra.redis_url = env[REDIS_URL_ENV]
    elif reuse_local and redis_answers_ping(LOCAL_REDIS_URL):
        infra.redis_url = LOCAL_REDIS_URL
    else:
        infra.redis = start_embedded_redis(
            data_dir / "redis", log_path=data_dir / "logs" / "redis.log"
        )
        infra.redis_url = infra.redis.url


def _choose_nats(infra: Infra, data_dir: Path, env: Mapping[str, str]) -> None:
    if env.get(NATS_URL_ENV):
        infra.nats_url = env[NATS_URL_ENV]
    else:
        infra.nats = start_nats_server(data_dir / "nats")
        infra.nats_url = infra.nats.url
