"""Inventory's service layer against real PostgreSQL (migrated). Access contexts
are built here directly: handlers take one, the entrypoint is what resolves it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from crm_common.db import UnitOfWork, create_engine, session_factory
from crm_common.migrations import upgrade
from crm_devstack.infra import Infra
from crm_devstack.postgres import create_database, drop_database
from crm_devstack.testing import unique_name
from inventory.config import InventorySettings
from inventory.entrypoints.main import MIGRATIONS
from inventory.service_layer.deps import InventoryDeps


@pytest_asyncio.fixture(scope="session")
async def inventory_db(infra: Infra) -> AsyncIterator[str]:
    name = unique_name("test_inventory")
    url = await create_database(infra.database_url, name)
    await asyncio.to_thread(upgrade, url, Path(MIGRATIONS))
    yield url
    await drop_database(infra.database_url, name)


@pytest_asyncio.fixture(scope="session")
async def inventory_deps(inventory_db: str) -> AsyncIterator[InventoryDeps]:
    # Few idle connections: the integration stack shares this PostgreSQL server.
    engine = create_engine(inventory_db, pool_size=2, max_overflow=18)
    sessions = session_factory(engine)
    yield InventoryDeps(
        settings=InventorySettings(inventory_database_url=inventory_db),
        uow=lambda: UnitOfWork(sessions, source="inventory"),
    )
    await engine.dispose()
