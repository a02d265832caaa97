"""Routes: parse, call the identity stub, map. The contract of issue 2."""

from __future__ import annotations

import uuid

import httpx
import pytest
from gateway_fakes import TENANT_ID, USER_ID, FakeIdentity

USER = f"/api/v1/users/{USER_ID}"


async def test_create_tenant(
    client: httpx.AsyncClient, identity: FakeIdentity, platform: dict[str, str]
) -> None:
    body = {
        "name": "Acme",
        "slug": "acme",
        "admin_email": "admin@acme.example",
        "admin_password": "correct-horse",
        "timezone": "Asia/Tokyo",
    }
    response = await client.post("/api/v1/tenants", json=body, headers=platform)
    assert response.status_code == 201
    data = response.json()
    assert data["id"] == TENANT_ID and data["admin_user_id"] == USER_ID and data["slug"] == "acme"
    sent = identity.last("CreateTenant")
    assert sent.timezone == "Asia/Tokyo" and sent.currency == ""
    assert identity.calls[-1][2].kind == "platform"


async def test_token_passes_client_ip_and_user_agent(
    client: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    body = {"tenant": "acme", "email": "a@acme.example", "password": "pw"}
    response = await client.post(
        "/api/v1/auth/token", json=body, headers={"User-Agent": "crm-cli/1.0"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "access_token": "a",
        "refresh_token": "r",
        "token_type": "bearer",
        "expires_in": 900,
    }
    sent = identity.last("IssueToken")
    assert sent.tenant == "acme" and sent.user_agent == "crm-cli/1.0" and sent.client_ip


async def test_refresh(client: httpx.AsyncClient, identity: FakeIdentity) -> None:
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": "r"})
    assert response.status_code == 200 and response.json()["refresh_token"] == "r2"
    assert identity.last("RefreshToken").refresh_token == "r"


@pytest.mark.parametrize("body", [None, {}, {"refresh_token": "r"}])
async def test_logout_with_or_without_body(
    client: httpx.AsyncClient,
    identity: FakeIdentity,
    auth: dict[str, str],
    body: dict[str, str] | None,
) -> None:
    response = await client.post("/api/v1/auth/logout", json=body, headers=auth)
    assert response.status_code == 204 and response.content == b""
    assert identity.last("Logout").refresh_token == (body or {}).get("refresh_token", "")


async def test_me(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.get("/api/v1/me", headers=auth)
    data = response.json()
    assert data["user"]["id"] == USER_ID and data["tenant"]["slug"] == "acme"
    assert data["permissions"] == ["*"]
    assert data["user"]["created_at"].endswith("Z") or "+00:00" in data["user"]["created_at"]


async def test_list_users_pages_with_a_cursor(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    identity.next_cursor = "c2"
    page = await client.get(
        "/api/v1/users", params={"limit": 2, "cursor": "c1", "include_inactive": True}, headers=auth
    )
    assert page.status_code == 200
    assert page.json()["next_cursor"] == "c2" and len(page.json()["items"]) == 1
    sent = identity.last("ListUsers")
    assert (sent.page.limit, sent.page.cursor, sent.include_inactive) == (2, "c1", True)
    identity.next_cursor = ""
    last = await client.get("/api/v1/users", headers=auth)
    assert last.json()["next_cursor"] is None
    assert identity.last("ListUsers").page.limit == 50


@pytest.mark.parametrize("limit", [0, 201, "x"])
async def test_list_limit_is_bounded(
    client: httpx.AsyncClient, auth: dict[str, str], limit: object
) -> None:
    response = await client.get("/api/v1/users", params={"limit": limit}, headers=auth)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["limit"]


async def test_create_user_answers_201_with_location(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    body = {"email": "grace@acme.example", "password": "correct-horse", "roles": ["user"]}
    response = await client.post("/api/v1/users", json=body, headers=auth)
    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == f"/api/v1/users/{created['id']}"
    assert response.headers["ETag"] == '"1"'
    sent = identity.last("CreateUser")
    assert list(sent.roles) == ["user"] and sent.first_name == "" and sent.timezone == ""


async def test_unknown_fields_are_refused(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    body = {"email": "g@acme.example", "password": "pw", "is_superuser": True}
    response = await client.post("/api/v1/users", json=body, headers=auth)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["is_superuser"]


async def test_get_user(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.get(USER, headers=auth)
    assert response.status_code == 200 and response.json()["id"] == USER_ID
    assert response.headers["ETag"] == '"1"'


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_path_id_must_be_a_uuid(
    client: httpx.AsyncClient, auth: dict[str, str], method: str
) -> None:
    kwargs = {"json": {}} if method == "PATCH" else {}
    response = await client.request(method, "/api/v1/users/not-a-uuid", headers=auth, **kwargs)
    assert response.status_code == 422
    assert "id" in [e["field"] for e in response.json()["errors"]]


async def test_patch_sends_only_present_fields(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    response = await client.patch(USER, json={"first_name": "Grace", "active": False}, headers=auth)
    assert response.status_code == 200 and response.headers["ETag"] == '"2"'
    sent = identity.last("UpdateUser")
    assert sorted(sent.update_mask) == ["active", "first_name"]
    assert (sent.first_name, sent.active, sent.expected_version) == ("Grace", False, 0)


@pytest.mark.parametrize(
    ("if_match", "body_version", "expected"),
    [('"3"', None, 3), ("3", None, 3), ('W/"4"', None, 4), ("*", 7, 0), (None, 5, 5)],
)
async def test_patch_expected_version(
    client: httpx.AsyncClient,
    identity: FakeIdentity,
    auth: dict[str, str],
    if_match: str | None,
    body_version: int | None,
    expected: int,
) -> None:
    headers = {**auth, **({"If-Match": if_match} if if_match else {})}
    body: dict[str, object] = {"last_name": "Hopper"}
    if body_version is not None:
        body["version"] = body_version
    assert (await client.patch(USER, json=body, headers=headers)).status_code == 200
    sent = identity.last("UpdateUser")
    assert sent.expected_version == expected and list(sent.update_mask) == ["last_name"]


async def test_patch_refuses_null_and_bad_if_match(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    null = await client.patch(USER, json={"first_name": None}, headers=auth)
    assert null.status_code == 422
    assert [e["field"] for e in null.json()["errors"]] == ["first_name"]
    bad = await client.patch(USER, json={}, headers={**auth, "If-Match": "yesterday"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["If-Match"]


async def test_delete_disables_and_returns_the_user(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    response = await client.delete(USER, headers=auth)
    assert response.status_code == 200 and response.json()["active"] is False
    assert identity.last("DisableUser").id == USER_ID


async def test_login_audit(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    response = await client.get("/api/v1/audit/logins", params={"limit": 10}, headers=auth)
    assert response.status_code == 200
    assert response.json()["items"][0]["kind"] == "login_succeeded"
    assert response.json()["next_cursor"] is None
    assert identity.last("ListAccessAudit").page.limit == 10


async def test_jwks_is_published_with_cache_control(
    client: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.json()["keys"][0]["kid"] == "key-1"


async def test_each_request_forwards_only_its_own_principal(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    await client.get("/api/v1/me", headers=auth)
    await client.post("/api/v1/auth/refresh", json={"refresh_token": str(uuid.uuid4())})
    _, _, principal = identity.calls[-1]
    assert principal.kind == "anonymous"
