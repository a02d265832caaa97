"""Unit tests of the `make run` supervisor's parts that need no running service."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import httpx
import pytest

from crm_devstack.banner import render_banner
from crm_devstack.demo_tenant import SeedOutcome, seed_demo_tenant
from crm_devstack.dev_secrets import DevSecrets, SecretsFileError, load_or_create_secrets
from crm_devstack.paths import find_repo_root
from crm_devstack.services import (
    GATEWAY,
    SERVICES,
    ServiceSpec,
    all_specs,
    build_service_env,
    resolve_command,
)
from crm_devstack.testing import unique_name

SECRETS = DevSecrets(
    platform_token="plat", internal_secret="int", identity_key_passphrase="pass", demo_password="pw"
)


def test_secrets_file_created_once_with_0600_and_reused(tmp_path: Path) -> None:
    path = tmp_path / ".data" / "secrets.json"
    first = load_or_create_secrets(path, environ={})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["demo_password"] == first.demo_password
    assert len({first.platform_token, first.internal_secret, first.identity_key_passphrase}) == 3

    assert load_or_create_secrets(path, environ={}) == first


def test_env_overrides_secrets_without_writing_them(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    stored = load_or_create_secrets(path, environ={})
    environ = {
        "CRM_PLATFORM_TOKEN": "from-env-token",
        "CRM_DEMO_PASSWORD": "from-env-password",
        "CRM_INTERNAL_SECRET": "",  # empty means unset
    }
    effective = load_or_create_secrets(path, environ=environ)
    assert effective.platform_token == "from-env-token"
    assert effective.demo_password == "from-env-password"
    assert effective.internal_secret == stored.internal_secret
    assert "from-env" not in path.read_text()


def test_unreadable_secrets_file_is_an_error_not_a_silent_reset(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text("{not json")
    with pytest.raises(SecretsFileError):
        load_or_create_secrets(path, environ={})


def test_service_env_has_stores_secrets_ports_and_addresses() -> None:
    identity = ServiceSpec(
        name="identity", command=("crm-identity",), grpc_port=50051, metrics_port=9101
    )
    sales = ServiceSpec(name="sales", command=("crm-sales",), grpc_port=50052, metrics_port=9102)
    specs = [identity, sales, GATEWAY]
    stores = {"CRM_DATABASE_URL": "db", "CRM_REDIS_URL": "redis", "CRM_NATS_URL": "nats"}
    parent = {"PATH": "/usr/bin", "CRM_ENV": "production", "CRM_DATABASE_URL": "stale"}

    env = build_service_env(
        sales, store_env=stores, dev_secrets=SECRETS, specs=specs, parent_env=parent
    )

    assert env["PATH"] == "/usr/bin"  # the parent's environment passes through
    assert env | stores == env  # ... but the stores we chose win
    assert env["CRM_ENV"] == "development"
    assert env["CRM_SERVICE_NAME"] == "sales"
    assert env["CRM_MIGRATE_ON_START"] == "true"
    assert (env["CRM_GRPC_PORT"], env["CRM_METRICS_PORT"]) == ("50052", "9102")
    assert env["CRM_INTERNAL_SECRET"] == "int"
    assert env["CRM_PLATFORM_TOKEN"] == "plat"
    assert env["CRM_IDENTITY_KEY_PASSPHRASE"] == "pass"
    assert env["CRM_IDENTITY_ADDR"] == "127.0.0.1:50051"
    assert env["CRM_SALES_ADDR"] == "127.0.0.1:50052"
    assert "CRM_DEMO_PASSWORD" not in env


def test_gateway_env_and_registry() -> None:
    env = build_service_env(
        GATEWAY, store_env={}, dev_secrets=SECRETS, specs=all_specs(), parent_env={}
    )
    assert env["CRM_GATEWAY_PORT"] == "8080"
    assert env["CRM_IDENTITY_ADDR"] == "127.0.0.1:50051"
    assert "CRM_GRPC_PORT" not in env
    assert all_specs()[-1] == GATEWAY
    assert (
        SERVICES[0].name == "identity"
        and SERVICES[0].metrics_url == "http://127.0.0.1:9101/metrics"
    )
    assert GATEWAY.metrics_url == "http://127.0.0.1:8080/metrics"
    assert GATEWAY.readiness_url == "http://127.0.0.1:8080/readyz"


def test_resolve_command_prefers_the_venv_bin(tmp_path: Path) -> None:
    (tmp_path / "crm-thing").write_text("#!/bin/sh\n")
    assert resolve_command(("crm-thing", "--flag"), bin_dir=tmp_path) == [
        str(tmp_path / "crm-thing"),
        "--flag",
    ]
    assert resolve_command((unique_name("not-installed"),), bin_dir=tmp_path) is None
    assert resolve_command((sys.executable, "-V"), bin_dir=tmp_path) == [sys.executable, "-V"]


def test_banner_says_where_to_go() -> None:
    banner = render_banner(GATEWAY, [*SERVICES, GATEWAY], SECRETS)
    for expected in (
        "http://127.0.0.1:8080",
        "http://127.0.0.1:8080/docs",
        "http://127.0.0.1:9101/metrics",
        "http://127.0.0.1:8080/metrics",
        "admin@demo.example",
        "'demo'",
        "pw",
        "plat",
        "curl -s -X POST http://127.0.0.1:8080/api/v1/auth/token",
    ):
        assert expected in banner


def _client(handler: httpx.MockTransport) -> httpx.Client:
    return httpx.Client(transport=handler)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(201, SeedOutcome.SEEDED), (409, SeedOutcome.ALREADY_SEEDED), (500, SeedOutcome.FAILED)],
)
def test_seed_demo_tenant(status: int, outcome: SeedOutcome) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={})

    with _client(httpx.MockTransport(answer)) as client:
        result, message = seed_demo_tenant("http://gw", SECRETS, client=client)

    assert result is outcome
    assert str(seen[0].url) == "http://gw/api/v1/tenants"
    assert seen[0].headers["X-Platform-Token"] == "plat"
    body = json.loads(seen[0].content)
    assert body == {
        "name": "Demo Inc.",
        "slug": "demo",
        "admin_email": "admin@demo.example",
        "admin_password": "pw",
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
    }
    if status == 409:
        assert message == "demo tenant already seeded"


def test_seed_failure_to_connect_is_reported_not_raised() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with _client(httpx.MockTransport(refuse)) as client:
        result, message = seed_demo_tenant("http://gw", SECRETS, client=client)
    assert result is SeedOutcome.FAILED and "refused" in message


def test_repo_root_is_found_upwards(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("")
    (tmp_path / "services" / "x").mkdir(parents=True)
    assert find_repo_root(tmp_path / "services" / "x") == tmp_path
    assert find_repo_root(tmp_path.parent) == tmp_path.parent.resolve()
