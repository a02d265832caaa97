"""A small client of the gateway's REST API for the end-to-end tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct-horse-battery"


@dataclass
class Session:
    tenant: str
    email: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass
class Tenant:
    id: str
    slug: str
    admin_user_id: str
    admin: Session


class Api:
    def __init__(self, base_url: str, platform_token: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=15)
        self.platform_token = platform_token

    def close(self) -> None:
        self.http.close()

    def request(
        self, method: str, path: str, session: Session | None = None, **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", {}) or {})
        if session is not None:
            headers.update(session.headers)
        return self.http.request(method, path, headers=headers, **kw)

    def create_tenant(self, slug: str | None = None, **fields: Any) -> Tenant:
        slug = slug or f"t-{uuid.uuid4().hex[:10]}"
        body = {
            "name": f"Tenant {slug}",
            "slug": slug,
            "admin_email": f"admin@{slug}.example",
            "admin_password": PASSWORD,
            **fields,
        }
        response = self.http.post(
            "/api/v1/tenants", json=body, headers={"X-Platform-Token": self.platform_token}
        )
        assert response.status_code == 201, response.text
        data = response.json()
        admin = self.login(slug, body["admin_email"], PASSWORD)
        return Tenant(data["id"], slug, data["admin_user_id"], admin)

    def token(self, tenant: str, email: str, password: str) -> httpx.Response:
        return self.http.post(
            "/api/v1/auth/token", json={"tenant": tenant, "email": email, "password": password}
        )

    def login(self, tenant: str, email: str, password: str = PASSWORD) -> Session:
        response = self.token(tenant, email, password)
        assert response.status_code == 200, response.text
        data = response.json()
        return Session(tenant, email, data["access_token"], data["refresh_token"])

    def create_user(self, admin: Session, email: str, **fields: Any) -> dict[str, Any]:
        body = {
            "email": email,
            "password": PASSWORD,
            "first_name": "Ada",
            "last_name": "L",
            **fields,
        }
        response = self.request("POST", "/api/v1/users", admin, json=body)
        assert response.status_code == 201, response.text
        return response.json()
