"""Notifications' service layer against real PostgreSQL (migrated) and NATS."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from nats.js import JetStreamContext

from crm_common.db import UnitOfWork, create_engine, session_factory
from crm_common.events.streams import connect_nats, ensure_streams
from crm_common.migrations import upgrade
from crm_devstack.infra import Infra
from crm_devstack.postgres import create_database, drop_database
from crm_devstack.testing import unique_name
from notifications.entrypoints.main import MIGRATIONS
from notifications.service_layer.deps import NotificationsDeps


@pytest_asyncio.fixture(scope="session")
async def notifications_db(infra: Infra) -> AsyncIterator[str]:
    name = unique_name("test_notifications")
    url = await create_database(infra.database_url, name)
    await asyncio.to_thread(upgrade, url, Path(MIGRATIONS))
    yield url
    await drop_database(infra.database_url, name)


@pytest_asyncio.fixture(scope="session")
async def notifications_deps(notifications_db: str) -> AsyncIterator[NotificationsDeps]:
    # Few idle connections: the integration stack shares this PostgreSQL server.
    engine = create_engine(notifications_db, pool_size=2, max_overflow=18)
    sessions = session_factory(engine)
    yield NotificationsDeps(uow=lambda: UnitOfWork(sessions, source="notifications"))
    await engine.dispose()


@pytest_asyncio.fixture(scope="session")
async def notifications_js(infra: Infra) -> AsyncIterator[JetStreamContext]:
    client = await connect_nats(infra.nats_url, name="notifications-service-tests")
    await ensure_streams(client.jetstream())
    yield client.jetstream()
    await client.close()
