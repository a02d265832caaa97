"""Login, refresh rotation and reuse detection, logout and revocation, JWKS."""

from __future__ import annotations

import time
import uuid

import jwt

from tests.integration.api import PASSWORD, Api


def test_create_tenant_returns_contract_and_rejects_duplicate_slug(api: Api) -> None:
    tenant = api.create_tenant(timezone="Asia/Tokyo", currency="JPY")
    again = api.http.post(
        "/api/v1/tenants",
        json={
            "name": "X",
            "slug": tenant.slug,
            "admin_email": "x@x.example",
            "admin_password": PASSWORD,
        },
        headers={"X-Platform-Token": api.platform_token},
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")


def test_create_tenant_needs_the_platform_token(api: Api) -> None:
    body = {
        "name": "X",
        "slug": "no-token",
        "admin_email": "x@x.example",
        "admin_password": PASSWORD,
    }
    assert api.http.post("/api/v1/tenants", json=body).status_code == 401
    wrong = api.http.post("/api/v1/tenants", json=body, headers={"X-Platform-Token": "nope"})
    assert wrong.status_code == 401


def test_invalid_tenant_names_the_fields_at_fault_and_creates_nothing(api: Api) -> None:
    bad_slug = f"Bad Slug {uuid.uuid4().hex[:6]}!"  # unique: a reused Redis outlives runs
    body = {
        "name": "Bad",
        "slug": bad_slug,
        "admin_email": "not-an-email",
        "admin_password": "short",
        "timezone": "Mars/Olympus",
    }
    response = api.http.post(
        "/api/v1/tenants", json=body, headers={"X-Platform-Token": api.platform_token}
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"slug", "admin_email", "admin_password", "timezone"} <= fields
    assert api.token(bad_slug, "not-an-email", "short").status_code == 401


def test_login_token_shape_and_wrong_password(api: Api, stack) -> None:
    tenant = api.create_tenant()
    response = api.token(tenant.slug, tenant.admin.email, PASSWORD)
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "EdDSA" and header["kid"]
    assert api.token(tenant.slug, tenant.admin.email, "wrong-password").status_code == 401
    assert api.token("no-such-tenant", tenant.admin.email, PASSWORD).status_code == 401


def test_access_token_verifies_against_published_jwks(api: Api) -> None:
    tenant = api.create_tenant()
    jwks = api.http.get("/.well-known/jwks.json").json()
    kid = jwt.get_unverified_header(tenant.admin.access_token)["kid"]
    key = next(k for k in jwks["keys"] if k["kid"] == kid)
    claims = jwt.decode(
        tenant.admin.access_token, jwt.PyJWK(key).key, algorithms=["EdDSA"], audience="crm"
    )
    assert claims["tid"] == tenant.id and claims["sub"] == tenant.admin_user_id
    assert "d" not in key  # never the private part


def test_me_describes_the_caller(api: Api) -> None:
    tenant = api.create_tenant()
    me = api.request("GET", "/api/v1/me", tenant.admin)
    assert me.status_code == 200
    assert me.json()["user"]["email"] == tenant.admin.email
    assert me.json()["tenant"]["slug"] == tenant.slug
    assert api.http.get("/api/v1/me").status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_whole_family(api: Api) -> None:
    tenant = api.create_tenant()
    first = tenant.admin
    rotated = api.http.post("/api/v1/auth/refresh", json={"refresh_token": first.refresh_token})
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first.refresh_token
    # The used token presented again: theft assumed, the family dies.
    reuse = api.http.post("/api/v1/auth/refresh", json={"refresh_token": first.refresh_token})
    assert reuse.status_code == 401
    after = api.http.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401
    me = api.http.get("/api/v1/me", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 401


def test_logout_revokes_access_and_refresh(api: Api) -> None:
    tenant = api.create_tenant()
    session = api.login(tenant.slug, tenant.admin.email)
    assert api.request("GET", "/api/v1/me", session).status_code == 200
    assert api.request("POST", "/api/v1/auth/logout", session).status_code == 204
    assert api.request("GET", "/api/v1/me", session).status_code == 401
    refresh = api.http.post("/api/v1/auth/refresh", json={"refresh_token": session.refresh_token})
    assert refresh.status_code == 401
    # Other sessions of the same user are untouched.
    assert api.request("GET", "/api/v1/me", tenant.admin).status_code == 200


def test_disabling_a_user_revokes_their_tokens(api: Api) -> None:
    tenant = api.create_tenant()
    user = api.create_user(tenant.admin, "rep@example.com")
    session = api.login(tenant.slug, "rep@example.com")
    assert api.request("GET", "/api/v1/me", session).status_code == 200
    disabled = api.request("DELETE", f"/api/v1/users/{user['id']}", tenant.admin)
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert api.request("GET", "/api/v1/me", session).status_code == 401
    assert api.token(tenant.slug, "rep@example.com", PASSWORD).status_code == 401


def test_login_is_throttled_after_repeated_failures(api: Api) -> None:
    tenant = api.create_tenant()
    statuses = [
        api.token(tenant.slug, tenant.admin.email, "wrong-password").status_code for _ in range(6)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    locked = api.token(tenant.slug, tenant.admin.email, PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0


def test_signing_key_rotation_keeps_old_tokens_valid(api: Api) -> None:
    tenant = api.create_tenant()
    old_kid = jwt.get_unverified_header(tenant.admin.access_token)["kid"]
    rotate = api.http.post(
        "/api/v1/platform/signing-keys/rotate", headers={"X-Platform-Token": api.platform_token}
    )
    assert rotate.status_code == 200
    new_kid = rotate.json()["kid"]
    assert new_kid != old_kid
    # Published at once, used for signing only after the activation delay.
    published = {k["kid"] for k in api.http.get("/.well-known/jwks.json").json()["keys"]}
    assert {old_kid, new_kid} <= published
    fresh = api.login(tenant.slug, tenant.admin.email)
    for _ in range(50):  # bounded: activation (2 s) + key cache (1 s) in the test stack
        if jwt.get_unverified_header(fresh.access_token)["kid"] == new_kid:
            break
        time.sleep(0.2)
        fresh = api.login(tenant.slug, tenant.admin.email)
    assert jwt.get_unverified_header(fresh.access_token)["kid"] == new_kid
    # The gateway learns the new key on first sight; the old one still verifies.
    assert api.request("GET", "/api/v1/me", fresh).status_code == 200
    assert api.request("GET", "/api/v1/me", tenant.admin).status_code == 200


def test_logging_in_does_not_change_the_users_version(api: Api) -> None:
    tenant = api.create_tenant()
    before = api.request("GET", "/api/v1/me", tenant.admin).json()["user"]["version"]
    api.login(tenant.slug, tenant.admin.email)
    after = api.request("GET", "/api/v1/me", tenant.admin).json()["user"]["version"]
    assert before == after
