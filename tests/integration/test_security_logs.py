"""Secrets never reach the logs: after logins (good and bad), token refreshes
(and a replayed one), user creation and a password change, API-key use (good and
bad) and refused requests that carry a password, through the real stack, no
password, access token, refresh token or API key of this test appears in any
process log (.data/test-logs/*.log), nor, anywhere in them, the stack's internal
secret, platform token or signing-key passphrase."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx

from identity.config import DEV_KEY_PASSPHRASE
from tests.integration.api import Api, Session
from tests.integration.conftest import INTERNAL_SECRET, PLATFORM_TOKEN, Stack

AUDIT_WAIT_SECONDS = 15.0


def _secret(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex}"


def _ok(response: httpx.Response, status: int = 200) -> httpx.Response:
    assert response.status_code == status, response.text
    return response


class Recorder:
    """Drives the stack and remembers every secret it used or was given."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.secrets: set[str] = set()

    def login(self, slug: str, email: str, password: str) -> Session:
        data = _ok(self.api.token(slug, email, password)).json()
        self.keep_tokens(data)
        return Session(slug, email, data["access_token"], data["refresh_token"])

    def keep_tokens(self, data: dict[str, str]) -> None:
        for token in (data["access_token"], data["refresh_token"]):
            self.secrets.add(token)
            # The signature part alone would still be a usable leak of the token.
            self.secrets.add(token.rsplit(".", 1)[-1])


def _drive(api: Api, rec: Recorder) -> Session:
    """Every path a secret travels; returns the admin's last session."""
    slug, admin_password = f"t-{uuid.uuid4().hex[:10]}", _secret("AdminPass")
    email = f"admin@{slug}.example"
    tenant = {"name": slug, "slug": slug, "admin_email": email, "admin_password": admin_password}
    headers = {"X-Platform-Token": PLATFORM_TOKEN}
    _ok(api.http.post("/api/v1/tenants", json=tenant, headers=headers), 201)
    wrong = _secret("WrongPass")
    _ok(api.token(slug, email, wrong), 401)
    admin = rec.login(slug, email, admin_password)
    first_refresh = {"refresh_token": admin.refresh_token}
    rec.keep_tokens(_ok(api.http.post("/api/v1/auth/refresh", json=first_refresh)).json())
    _ok(api.http.post("/api/v1/auth/refresh", json=first_refresh), 401)
    admin = rec.login(slug, email, admin_password)  # the replay revoked the family

    user_password, new_password = _secret("UserPass"), _secret("NewPass")
    user = {"email": f"rep@{slug}.example", "password": user_password}
    user_id = _ok(api.request("POST", "/api/v1/users", admin, json=user), 201).json()["id"]
    rec.login(slug, user["email"], user_password)
    patch = {"password": new_password}
    _ok(api.request("PATCH", f"/api/v1/users/{user_id}", admin, json=patch))
    rec.login(slug, user["email"], new_password)
    refused = _secret("RefusedPass")
    bad_user = {"email": "not-an-email", "password": refused, "zz": 1}
    _ok(api.request("POST", "/api/v1/users", admin, json=bad_user), 422)
    _ok(api.http.post("/api/v1/auth/token", json={"password": refused, "tenant": slug}), 422)

    profiles = _ok(api.request("GET", "/api/v1/profiles", admin)).json()["items"]
    read_only = next(p["id"] for p in profiles if p["name"] == "Read Only")
    key = _ok(
        api.request("POST", "/api/v1/api-keys", admin, json={"name": "k", "profile_id": read_only}),
        201,
    ).json()["secret"]
    _ok(api.http.get("/api/v1/leads", headers={"Authorization": f"Bearer {key}"}))
    _ok(api.http.get("/api/v1/leads", headers={"X-API-Key": key}))
    bad_key = "crm_" + uuid.uuid4().hex
    _ok(api.http.get("/api/v1/leads", headers={"X-API-Key": bad_key}), 401)
    logout = rec.login(slug, email, admin_password)
    _ok(api.request("POST", "/api/v1/auth/logout", logout), 204)
    _ok(api.request("GET", "/api/v1/me", logout), 401)
    rec.secrets.update([admin_password, wrong, user_password, new_password, refused, key, bad_key])
    return admin


def _wait_for_audit(api: Api, admin: Session) -> None:
    """Consumers log asynchronously: wait (bounded) until the audit consumer has
    written the failed login, so its log lines are in the files too."""
    deadline = time.monotonic() + AUDIT_WAIT_SECONDS
    while time.monotonic() < deadline:
        page = api.request("GET", "/api/v1/audit/logins", admin, params={"limit": 200})
        if page.status_code == 200 and any(
            "failed" in str(item).lower() for item in page.json()["items"]
        ):
            return
        time.sleep(0.3)


def _read_from(path: Path, offset: int) -> str:
    with path.open("rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", errors="replace")


def test_no_secret_appears_in_any_log(api: Api, stack: Stack) -> None:
    logs = sorted(stack.log_dir.rglob("*.log"))
    assert {"gateway.log", "identity.log", "sales.log"} <= {p.name for p in logs}
    offsets = {path: path.stat().st_size for path in logs}
    rec = Recorder(api)
    admin = _drive(api, rec)
    _wait_for_audit(api, admin)
    assert len(rec.secrets) > 15
    for path in logs:
        text = _read_from(path, offsets[path])
        leaked = sorted(s for s in rec.secrets if s in text)
        assert leaked == [], f"{path.name} logs {leaked}"
        whole = _read_from(path, 0)
        for constant in (INTERNAL_SECRET, PLATFORM_TOKEN, DEV_KEY_PASSPHRASE):
            assert constant not in whole, f"{path.name} logs {constant}"
