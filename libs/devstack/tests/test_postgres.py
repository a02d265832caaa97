from __future__ import annotations

from pathlib import Path

import asyncpg

from crm_devstack.postgres import (
    create_database,
    drop_database,
    start_embedded_postgres,
    to_asyncpg_dsn,
    to_sqlalchemy_url,
    with_database,
)
from crm_devstack.processes import pid_gone
from crm_devstack.testing import unique_name


def test_url_conversions() -> None:
    uri = "postgresql://postgres:@/postgres?host=/work/main/.data/postgres"
    url = to_sqlalchemy_url(uri)
    assert url == "postgresql+asyncpg://postgres@/postgres?host=/work/main/.data/postgres"
    assert to_asyncpg_dsn(url) == "postgresql://postgres@/postgres?host=/work/main/.data/postgres"
    assert with_database(url, "crm_sales") == (
        "postgresql+asyncpg://postgres@/crm_sales?host=/work/main/.data/postgres"
    )
    assert with_database("postgresql+asyncpg://u:p@h:5432/postgres", "x").endswith("@h:5432/x")


async def _fetch(url: str, query: str) -> object:
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()


async def _execute(url: str, statement: str) -> None:
    connection = await asyncpg.connect(to_asyncpg_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def test_embedded_postgres_answers_and_persists_across_restart(repo_scratch: Path) -> None:
    pg = start_embedded_postgres(repo_scratch / "postgres")
    try:
        assert pg.sqlalchemy_url.startswith("postgresql+asyncpg://postgres@/postgres?host=")
        assert await _fetch(pg.sqlalchemy_url, "select 1") == 1
        await _execute(
            pg.sqlalchemy_url, "create table kept (v text); insert into kept values ('x')"
        )
        first_pid = pg.pid
    finally:
        pg.stop()
    assert first_pid is not None and pid_gone(first_pid)

    pg = start_embedded_postgres(repo_scratch / "postgres")
    try:
        assert pg.pid != first_pid
        assert await _fetch(pg.sqlalchemy_url, "select v from kept") == "x"
    finally:
        pg.stop()


async def test_create_and_drop_database(repo_scratch: Path) -> None:
    pg = start_embedded_postgres(repo_scratch / "postgres")
    try:
        name = unique_name("crm_test")
        url = await create_database(pg.sqlalchemy_url, name)
        assert url == with_database(pg.sqlalchemy_url, name)
        assert await create_database(pg.sqlalchemy_url, name) == url  # idempotent
        assert await _fetch(url, "select current_database()") == name

        await drop_database(pg.sqlalchemy_url, name)
        exists = await _fetch(
            pg.sqlalchemy_url, f"select 1 from pg_database where datname='{name}'"
        )
        assert exists is None
    finally:
        pg.stop()
