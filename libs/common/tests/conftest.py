"""Shared fixtures of libs/common tests: a throwaway PostgreSQL database, a real
nats-server per test, a NATS client with the CRM streams, and in-memory tracing.

PostgreSQL is the server at ``CRM_TEST_DATABASE_URL``, else the session's shared
``infra`` (root conftest.py: the local server when reachable, an embedded one
otherwise); each test session gets its own database, dropped at the end. nats-server is
the venv's binary (``crm_devstack.nats``); each test gets its own, so a test that kills
it cannot disturb another.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from nats.aio.client import Client
from nats.js import JetStreamContext
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from crm_common.db import Base, create_engine, session_factory
from crm_common.events.streams import connect_nats, ensure_streams
from crm_common.events.tables import InboxEntry, OutboxMessage
from crm_devstack.infra import Infra
from crm_devstack.nats import NatsServer, start_nats_server
from crm_devstack.postgres import create_database, drop_database


@pytest.fixture(scope="session")
def pg_admin_url(infra: Infra) -> str:
    return os.environ.get("CRM_TEST_DATABASE_URL", infra.database_url)


@pytest_asyncio.fixture(scope="session")
async def database_url(pg_admin_url: str) -> AsyncIterator[str]:
    """URL of a fresh database for this test session (dropped at the end)."""
    name = f"crm_test_common_{uuid.uuid4().hex[:8]}"
    url = await create_database(pg_admin_url, name)
    try:
        yield url
    finally:
        await drop_database(pg_admin_url, name)


@pytest_asyncio.fixture(scope="session")
async def db_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """Engine on the session database, with the outbox and inbox tables created."""
    engine = create_engine(database_url, pool_size=5, max_overflow=5)
    tables = [OutboxMessage.__table__, InboxEntry.__table__]
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=tables)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest_asyncio.fixture
async def db_sessions(db_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory on empty outbox/inbox tables (emptied before each test)."""
    async with db_engine.begin() as conn:
        await conn.execute(text("TRUNCATE outbox, inbox RESTART IDENTITY"))
    return session_factory(db_engine)


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A JetStream nats-server of this test; ``kill()`` / ``start()`` keep port and store."""
    server = start_nats_server(tmp_path / "nats")
    try:
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture
async def nats_client(nats_server: NatsServer) -> AsyncIterator[Client]:
    """Connected with the production settings (fast reconnects) and the CRM streams."""
    client = await connect_nats(nats_server.url, name="test", reconnect_wait=0.2)
    await ensure_streams(client.jetstream())
    try:
        yield client
    finally:
        await asyncio.wait_for(client.close(), timeout=5)


@pytest.fixture
def js(nats_client: Client) -> JetStreamContext:
    return nats_client.jetstream()


@pytest.fixture(scope="session")
def span_exporter() -> InMemorySpanExporter:
    """Collects every finished span of the process. The global tracer provider can be
    set only once per process, so this installs one only if none is installed yet."""
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.fixture
def spans(span_exporter: InMemorySpanExporter) -> InMemorySpanExporter:
    """The exporter, emptied at the start of the test."""
    span_exporter.clear()
    return span_exporter
