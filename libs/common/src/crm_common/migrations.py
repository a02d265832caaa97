"""Alembic helpers: each service keeps its own migrations for its own database.

A service's ``migrations/env.py`` is three lines (``run_env(Base.metadata)``);
``upgrade(url, script_location)`` applies them, at start-up in development or
from the Helm pre-install/pre-upgrade Job in a cluster.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

VERSION_TABLE = "alembic_version"


def alembic_config(url: str, script_location: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    # Percent signs in URLs (encoded passwords) must be escaped for ConfigParser.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, script_location: Path, revision: str = "head") -> None:
    """Apply migrations (blocking; call it with ``asyncio.to_thread`` from async code)."""
    command.upgrade(alembic_config(url, script_location), revision)


def run_env(target_metadata: MetaData) -> None:
    """Body of every service's ``migrations/env.py``."""
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url or "", target_metadata))


async def _run_online(url: str, target_metadata: MetaData) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_migrate, target_metadata)
    await engine.dispose()


def _migrate(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(
        connection=connection, target_metadata=target_metadata, version_table=VERSION_TABLE
    )
    with context.begin_transaction():
        # One migrator at a time per database, even with several replicas starting.
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(727274)"))
        context.run_migrations()


async def ensure_database(url: str) -> None:
    """Create the database ``url`` names when it does not exist yet (needs CREATEDB)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    engine = create_async_engine(admin_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not exists:
                quoted = name.replace('"', '""')
                await conn.execute(sa.text(f'CREATE DATABASE "{quoted}"'))
    finally:
        await engine.dispose()
