"""Users through the gateway, tenant isolation, validation, idempotency, rate limits."""

from __future__ import annotations

import uuid

from tests.integration.api import Api
from tests.integration.conftest import PRINCIPAL_LIMIT_PER_MINUTE


def test_user_crud_and_cursor_pagination(api: Api) -> None:
    tenant = api.create_tenant()
    created = [api.create_user(tenant.admin, f"u{i}@example.com") for i in range(5)]
    seen: list[str] = []
    cursor = None
    for _ in range(10):  # bounded: 6 users at 2 per page
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.request("GET", "/api/v1/users", tenant.admin, params=params).json()
        seen += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert set(seen) == {u["id"] for u in created} | {tenant.admin_user_id}
    assert len(seen) == len(set(seen))

    user_id = created[0]["id"]
    patched = api.request(
        "PATCH", f"/api/v1/users/{user_id}", tenant.admin, json={"first_name": "Grace"}
    )
    assert patched.status_code == 200
    assert patched.json()["first_name"] == "Grace" and patched.json()["last_name"] == "L"
    got = api.request("GET", f"/api/v1/users/{user_id}", tenant.admin).json()
    assert got["first_name"] == "Grace"


def test_stale_version_is_refused(api: Api) -> None:
    tenant = api.create_tenant()
    user = api.create_user(tenant.admin, "v@example.com")
    ok = api.request(
        "PATCH",
        f"/api/v1/users/{user['id']}",
        tenant.admin,
        json={"first_name": "A"},
        headers={"If-Match": str(user["version"])},
    )
    assert ok.status_code == 200
    stale = api.request(
        "PATCH",
        f"/api/v1/users/{user['id']}",
        tenant.admin,
        json={"first_name": "B"},
        headers={"If-Match": str(user["version"])},
    )
    assert stale.status_code == 409


def test_bad_input_names_the_field_and_changes_nothing(api: Api) -> None:
    tenant = api.create_tenant()
    bad = api.request(
        "POST",
        "/api/v1/users",
        tenant.admin,
        json={"email": "nope", "password": "correct-horse-battery"},
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in bad.json()["errors"]] == ["email"]
    users = api.request("GET", "/api/v1/users", tenant.admin).json()["items"]
    assert len(users) == 1
    not_uuid = api.request("GET", "/api/v1/users/not-a-uuid", tenant.admin)
    assert not_uuid.status_code == 422


def test_duplicate_email_is_a_conflict(api: Api) -> None:
    tenant = api.create_tenant()
    api.create_user(tenant.admin, "dup@example.com")
    again = api.request(
        "POST",
        "/api/v1/users",
        tenant.admin,
        json={"email": "DUP@example.com", "password": "correct-horse-battery"},
    )
    assert again.status_code == 409


def test_another_tenants_records_answer_404(api: Api) -> None:
    mine, theirs = api.create_tenant(), api.create_tenant()
    their_user = api.create_user(theirs.admin, "secret@example.com")
    path = f"/api/v1/users/{their_user['id']}"
    assert api.request("GET", path, mine.admin).status_code == 404
    assert api.request("PATCH", path, mine.admin, json={"first_name": "x"}).status_code == 404
    assert api.request("DELETE", path, mine.admin).status_code == 404
    listed = api.request("GET", "/api/v1/users", mine.admin).json()["items"]
    assert their_user["id"] not in {u["id"] for u in listed}
    # and nothing changed on their side
    assert api.request("GET", path, theirs.admin).json()["active"] is True


def test_non_admin_cannot_manage_users(api: Api) -> None:
    tenant = api.create_tenant()
    api.create_user(tenant.admin, "plain@example.com")
    plain = api.login(tenant.slug, "plain@example.com")
    assert api.request("GET", "/api/v1/users", plain).status_code == 200
    denied = api.request(
        "POST",
        "/api/v1/users",
        plain,
        json={"email": "x@example.com", "password": "correct-horse-battery"},
    )
    assert denied.status_code == 403


def test_idempotency_key_replays_and_rejects_a_different_body(api: Api) -> None:
    tenant = api.create_tenant()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"email": "once@example.com", "password": "correct-horse-battery"}
    first = api.request("POST", "/api/v1/users", tenant.admin, json=body, headers=key)
    second = api.request("POST", "/api/v1/users", tenant.admin, json=body, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    other = api.request(
        "POST",
        "/api/v1/users",
        tenant.admin,
        json={**body, "email": "twice@example.com"},
        headers=key,
    )
    assert other.status_code == 422
    users = api.request("GET", "/api/v1/users", tenant.admin).json()["items"]
    assert sorted(u["email"] for u in users) == sorted([tenant.admin.email, "once@example.com"])


def test_rate_limit_answers_429_with_retry_after(api: Api) -> None:
    tenant = api.create_tenant()
    statuses = []
    for _ in range(PRINCIPAL_LIMIT_PER_MINUTE + 20):  # bounded
        response = api.request("GET", "/api/v1/me", tenant.admin)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert response.headers["content-type"].startswith("application/problem+json")
            break
    assert statuses[-1] == 429
    assert statuses.count(200) <= PRINCIPAL_LIMIT_PER_MINUTE
    # Another tenant's principal is not affected.
    other = api.create_tenant()
    assert api.request("GET", "/api/v1/me", other.admin).status_code == 200


def test_health_endpoints_and_openapi(api: Api) -> None:
    assert api.http.get("/healthz").status_code == 200
    assert api.http.get("/readyz").status_code == 200
    spec = api.http.get("/openapi.json").json()
    assert "/api/v1/users" in spec["paths"] and "/api/v1/auth/token" in spec["paths"]
    metrics = api.http.get("/metrics").text
    assert "crm_http_requests_total" in metrics


def test_users_export_as_csv_needs_the_export_permission(api: Api) -> None:
    tenant = api.create_tenant()
    api.create_user(tenant.admin, "csv@example.com", phone="+31 20 555 0100", title="Buyer")
    export = api.request("GET", "/api/v1/users/export", tenant.admin)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert lines[0].split(",")[:3] == ["id", "email", "first_name"]
    assert any("csv@example.com" in line and "+31 20 555 0100" in line for line in lines)
    assert len(lines) == 3  # header, admin, the new user
    reader = api.login(tenant.slug, "csv@example.com")  # Read Only: view, no export
    denied = api.request("GET", "/api/v1/users/export", reader)
    assert denied.status_code == 403
    assert denied.headers["content-type"].startswith("application/problem+json")
