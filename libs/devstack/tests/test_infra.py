from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from crm_devstack import infra as infra_module
from crm_devstack.infra import LOCAL_POSTGRES_URL, LOCAL_REDIS_URL, ensure_infra
from crm_devstack.processes import pid_gone
from crm_devstack.redis import redis_answers_ping


def test_env_urls_win_and_nothing_is_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_DATABASE_URL", "postgresql+asyncpg://u@db.example:5432/crm")
    monkeypatch.setenv("CRM_REDIS_URL", "redis://cache.example:6379/2")
    monkeypatch.setenv("CRM_NATS_URL", "nats://bus.example:4222")

    infra = ensure_infra(tmp_path, reuse_local=True)

    assert infra.env() == {
        "CRM_DATABASE_URL": "postgresql+asyncpg://u@db.example:5432/crm",
        "CRM_REDIS_URL": "redis://cache.example:6379/2",
        "CRM_NATS_URL": "nats://bus.example:4222",
    }
    assert (infra.postgres, infra.redis, infra.nats) == (None, None, None)
    assert "export CRM_NATS_URL='nats://bus.example:4222'" in infra.export_lines()
    infra.stop()  # nothing to stop: must be harmless


def test_reuse_local_prefers_servers_on_default_ports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CRM_DATABASE_URL", "CRM_REDIS_URL", "CRM_NATS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(infra_module, "tcp_reachable", lambda host, port: port == 5432)
    monkeypatch.setattr(infra_module, "postgres_accepts_login", lambda url: True)
    monkeypatch.setattr(infra_module, "redis_answers_ping", lambda url: url == LOCAL_REDIS_URL)

    infra = ensure_infra(tmp_path, reuse_local=True)
    try:
        assert infra.database_url == LOCAL_POSTGRES_URL
        assert infra.redis_url == LOCAL_REDIS_URL
        assert infra.nats is not None  # NATS is always our own: tests kill it
        assert infra.nats_url == infra.nats.url
    finally:
        infra.stop()


def test_fresh_machine_stack_stops_without_leftovers(
    repo_scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CRM_DATABASE_URL", "CRM_REDIS_URL", "CRM_NATS_URL"):
        monkeypatch.delenv(name, raising=False)

    infra = ensure_infra(repo_scratch, reuse_local=False)
    assert infra.postgres is not None and infra.redis is not None and infra.nats is not None
    pids = [infra.postgres.pid, infra.redis.pid, infra.nats.pid]
    assert infra.database_url == infra.postgres.sqlalchemy_url
    assert redis_answers_ping(infra.redis_url)
    assert all(pid is not None and psutil.pid_exists(pid) for pid in pids)

    infra.stop()

    assert all(pid is not None and pid_gone(pid) for pid in pids)
    leftovers = [
        p.info["pid"]
        for p in psutil.process_iter(["pid", "cmdline"])
        if any(str(repo_scratch) in part for part in (p.info["cmdline"] or []))
        and not pid_gone(p.info["pid"])
    ]
    assert leftovers == []
