"""The gRPC -> HTTP table and the problem+json shape."""

from __future__ import annotations

import grpc
import httpx
import pytest
from gateway_fakes import FakeIdentity

from crm_common import errors
from gateway.problem import http_status_for

TABLE = [
    (grpc.StatusCode.INVALID_ARGUMENT, 422),
    (grpc.StatusCode.NOT_FOUND, 404),
    (grpc.StatusCode.ALREADY_EXISTS, 409),
    (grpc.StatusCode.PERMISSION_DENIED, 403),
    (grpc.StatusCode.UNAUTHENTICATED, 401),
    (grpc.StatusCode.FAILED_PRECONDITION, 409),
    (grpc.StatusCode.ABORTED, 409),
    (grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
    (grpc.StatusCode.UNAVAILABLE, 503),
    (grpc.StatusCode.DEADLINE_EXCEEDED, 504),
    (grpc.StatusCode.INTERNAL, 500),
    (grpc.StatusCode.UNKNOWN, 500),
    (grpc.StatusCode.DATA_LOSS, 500),
]


@pytest.mark.parametrize(("code", "status"), TABLE)
def test_each_grpc_status_maps_to_one_http_status(code: grpc.StatusCode, status: int) -> None:
    assert http_status_for(code) == status


@pytest.mark.parametrize(("code", "status"), TABLE)
async def test_upstream_failure_becomes_a_problem(
    client: httpx.AsyncClient,
    identity: FakeIdentity,
    auth: dict[str, str],
    code: grpc.StatusCode,
    status: int,
) -> None:
    identity.fail_with("GetMe", code, "upstream says no")
    response = await client.get("/api/v1/me", headers=auth)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "instance", "request_id", "errors"} <= set(body)
    assert body["status"] == status and body["instance"] == "/api/v1/me"
    assert body["request_id"] == response.headers["X-Request-ID"]
    if status >= 500:  # upstream internals are not shown
        assert "upstream says no" not in body["detail"]
    else:
        assert body["detail"] == "upstream says no"
    # A 503 says when to come back; nothing else invents a retry time.
    assert ("Retry-After" in response.headers) == (status == 503)


async def test_field_violations_are_listed(
    client: httpx.AsyncClient, identity: FakeIdentity, platform: dict[str, str]
) -> None:
    violations = [errors.FieldViolation("slug", "invalid"), errors.FieldViolation("timezone", "?")]
    identity.fail_with("CreateTenant", errors.InvalidArgument("bad", violations))
    body = {"name": "A", "slug": "Bad!", "admin_email": "a@b.c", "admin_password": "x"}
    response = await client.post("/api/v1/tenants", json=body, headers=platform)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["slug", "timezone"]


async def test_unauthenticated_upstream_asks_for_a_bearer_token(
    client: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    identity.fail_with("IssueToken", errors.Unauthenticated("wrong credentials"))
    body = {"tenant": "acme", "email": "a@b.c", "password": "nope"}
    response = await client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_resource_exhausted_carries_retry_after(
    client: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    identity.fail_with("IssueToken", errors.RateLimited("locked", retry_after_seconds=42))
    body = {"tenant": "acme", "email": "a@b.c", "password": "nope"}
    response = await client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "42"


async def test_validation_errors_name_each_field(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.post("/api/v1/users", json={"password": 5}, headers=auth)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"email", "password"}


async def test_unknown_route_and_method_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong_method = await client.put("/healthz")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == "application/problem+json"


async def test_unexpected_exception_is_a_500_problem_without_a_stack(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    identity.fail["GetMe"] = RuntimeError("secret internals")  # type: ignore[assignment]
    response = await client.get("/api/v1/me", headers=auth)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert response.json()["request_id"] == response.headers["X-Request-ID"]
