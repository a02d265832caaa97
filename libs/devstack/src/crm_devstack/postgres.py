"""Embedded PostgreSQL (the ``pgserver`` wheel) and database helpers.

pgserver bundles PostgreSQL 16 and listens on a Unix socket only, so URLs carry the
socket directory as ``?host=<dir>``; psycopg, asyncpg and SQLAlchemy all accept that.
Run as root, pgserver runs the server as a system user ``pgserver`` and widens the
permissions of the data dir's parents: keep the data dir under the project's ``.data/``.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import os
import re
import signal
import subprocess
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from crm_devstack.processes import wait_pid_gone

if TYPE_CHECKING:
    from pgserver.postgres_server import PostgresServer

ASYNCPG_SCHEME = "postgresql+asyncpg"
_DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass
class EmbeddedPostgres:
    """A running pgserver instance; its data persists until someone deletes the dir."""

    data_dir: Path
    server: PostgresServer

    @property
    def uri(self) -> str:
        """libpq form, as pgserver reports it: postgresql://postgres:@/postgres?host=/dir"""
        return self.server.get_uri("postgres")

    @property
    def sqlalchemy_url(self) -> str:
        """postgresql+asyncpg://postgres@/postgres?host=<socket dir>"""
        return to_sqlalchemy_url(self.uri)

    @property
    def pid(self) -> int | None:
        return self.server.get_pid()

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are disconnected) and return
        once the postmaster process is gone."""
        pid = self.pid
        _forget_handle(self.server)
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            _pg_ctl()(
                ["-w", "-m", "fast", "stop"],
                pgdata=self.server.pgdata,
                user=self.server.system_user,
                timeout=30,
            )
        if pid is not None and not wait_pid_gone(pid, timeout=10):
            os.kill(pid, signal.SIGKILL)  # last resort; PostgreSQL recovers from its WAL


def start_embedded_postgres(data_dir: Path) -> EmbeddedPostgres:
    """Start (or attach to an already running) PostgreSQL whose data lives in ``data_dir``.

    ``cleanup_mode=None``: nothing stops it behind our back at interpreter exit; the
    owner calls ``stop()``. The parent of ``data_dir`` is created if missing."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = _pgserver().get_server(data_dir, cleanup_mode=None)
    return EmbeddedPostgres(data_dir=data_dir, server=server)


def _pgserver() -> ModuleType:
    """Import pgserver on first use. Its import computes a runtime dir and warns when
    XDG_RUNTIME_DIR is unset (always, in containers and CI); the fallback is fine."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
        import pgserver.postgres_server
    return pgserver


def _pg_ctl() -> Callable[..., str]:
    # pgserver creates one function per bundled binary at import time.
    pg_ctl: Callable[..., str] = _pgserver()._commands.pg_ctl
    return pg_ctl


def _forget_handle(server: PostgresServer) -> None:
    """pgserver caches one handle per data dir and per process; drop it so that a later
    ``start_embedded_postgres`` on the same dir really starts the server again."""
    atexit.unregister(server._cleanup)
    server.global_process_id_list.get_and_remove(os.getpid())
    _pgserver().postgres_server.PostgresServer._instances.pop(server.pgdata, None)


def to_sqlalchemy_url(libpq_uri: str) -> str:
    """postgresql://postgres:@/db?host=/dir -> postgresql+asyncpg://postgres@/db?host=/dir"""
    parts = urlsplit(libpq_uri)
    netloc = parts.netloc.replace(":@", "@")  # an empty password is no password
    return urlunsplit(parts._replace(scheme=ASYNCPG_SCHEME, netloc=netloc))


def to_asyncpg_dsn(url: str) -> str:
    """SQLAlchemy URL -> a DSN asyncpg accepts (it does not know the ``+driver`` part)."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgresql", "postgres"):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return urlunsplit(parts._replace(scheme="postgresql"))


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database ``name`` (query, e.g. ``?host=``, kept)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def create_database(admin_url: str, name: str) -> str:
    """Create database ``name`` on the server of ``admin_url``; return its URL (same
    scheme as ``admin_url``). An existing database is left alone."""
    quoted = _quote_database_name(name)
    connection = await _connect(admin_url)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f"CREATE DATABASE {quoted}")
    finally:
        await connection.close()
    return with_database(admin_url, name)


async def drop_database(admin_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, disconnecting whoever still uses it."""
    quoted = _quote_database_name(name)
    connection = await _connect(admin_url)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    finally:
        await connection.close()


def postgres_accepts_login(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` lets us in and answers ``SELECT 1``: a server that listens but
    wants a password we don't have is no use. Safe to call from inside an event loop
    (the probe runs on its own loop in a helper thread)."""

    async def probe() -> bool:
        import asyncpg

        connection = await asyncpg.connect(to_asyncpg_dsn(url), timeout=timeout)
        try:
            return bool(await connection.fetchval("SELECT 1") == 1)
        finally:
            await connection.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        try:
            return executor.submit(asyncio.run, probe()).result(timeout=timeout + 1)
        except Exception:  # refused, auth failed, timed out: all mean "not usable"
            return False


async def _connect(url: str) -> Any:  # asyncpg ships no type stubs
    import asyncpg

    return await asyncpg.connect(to_asyncpg_dsn(url), timeout=10)


def _quote_database_name(name: str) -> str:
    """Database names come from code and tests, never from users; still, refuse anything
    that would need more than plain double quotes."""
    if not _DATABASE_NAME.match(name):
        raise ValueError(f"invalid database name: {name!r}")
    return f'"{name}"'
