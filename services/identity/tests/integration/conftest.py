"""Identity's service layer against real PostgreSQL (migrated) and Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from redis.asyncio import Redis

from crm_common.db import UnitOfWork, create_engine, session_factory
from crm_common.migrations import upgrade
from crm_devstack.infra import Infra
from crm_devstack.postgres import create_database, drop_database
from crm_devstack.testing import unique_name
from identity.adapters.keys import SigningKeys
from identity.adapters.passwords import Passwords
from identity.adapters.throttle import LoginThrottle
from identity.adapters.tokens import AccessTokens
from identity.config import IdentitySettings
from identity.entrypoints.main import MIGRATIONS
from identity.service_layer.deps import IdentityDeps


@pytest_asyncio.fixture(scope="session")
async def identity_db(infra: Infra) -> AsyncIterator[str]:
    name = unique_name("test_identity")
    url = await create_database(infra.database_url, name)
    await asyncio.to_thread(upgrade, url, Path(MIGRATIONS))
    yield url
    await drop_database(infra.database_url, name)


@pytest_asyncio.fixture(scope="session")
async def deps(identity_db: str, infra: Infra) -> AsyncIterator[IdentityDeps]:
    settings = IdentitySettings(identity_database_url=identity_db, redis_url=infra.redis_url)
    # Few idle connections: the integration stack shares this PostgreSQL server.
    engine = create_engine(identity_db, pool_size=2, max_overflow=18)
    sessions = session_factory(engine)
    redis = Redis.from_url(infra.redis_url)
    keys = SigningKeys(sessions, passphrase="test", cache_seconds=30, token_ttl_seconds=900)
    yield IdentityDeps(
        settings=settings,
        uow=lambda: UnitOfWork(sessions, source="identity"),
        passwords=Passwords(),
        keys=keys,
        access_tokens=AccessTokens(keys, 900),
        throttle=LoginThrottle(redis, max_failures=5, window_seconds=60),
        redis=redis,
    )
    await redis.aclose()
    await engine.dispose()
