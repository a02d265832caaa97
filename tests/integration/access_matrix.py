"""THE access matrix: every endpoint of the platform x every kind of principal,
with the exact status each must get. A new endpoint joins this table (the test
fails while an OpenAPI route is in neither ROWS nor PUBLIC).

Columns, in order: admin, manager (role above rep), rep, peer (same role as rep),
read_only (Read Only profile, no role), other_tenant (another tenant's admin),
api_key (Read Only key), anonymous. Org-wide default for users is private.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.integration.access_org import Org

Body = Callable[[Org, str], Any] | None


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # an OpenAPI path template; {placeholders} filled from the org
    expect: str  # eight statuses, one per principal (access_org.PRINCIPALS)
    body: Body = None
    fresh: str = ""  # kind of record to create for each principal first ({fresh_id})
    fresh_session: bool = False  # log in again (logout ends the session)

    def statuses(self) -> list[int]:
        return [int(code) for code in self.expect.split()]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def new_user(org: Org, who: str) -> dict[str, Any]:
    return {"email": f"{unique(who)}@example.com", "password": "correct-horse-battery"}


def new_role(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique("role"), "parent_id": org.ids["rep_role_id"]}


def new_profile(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique("profile"), "permissions": {"leads": ["view"]}}


def new_group(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique("group"), "members": [{"type": "user", "id": org.ids["rep_id"]}]}


def new_key(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique("key"), "profile_id": org.ids["read_only_profile_id"]}


def new_lead(org: Org, who: str) -> dict[str, Any]:
    return {"last_name": unique(who), "company": unique("co"), "email": f"{unique(who)}@x.example"}


def rep_account(org: Org) -> str:
    """One account owned by the rep, made on first use."""
    if "rep_account_id" not in org.ids:
        org.ids["rep_account_id"] = org.fresh("account")
    return org.ids["rep_account_id"]


def new_account(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique(who), "billing_address": {"city": "Utrecht", "country": "NL"}}


def new_contact(org: Org, who: str) -> dict[str, Any]:
    return {"last_name": unique(who), "account_id": rep_account(org)}


def rename(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique("renamed")}


def retitle(org: Org, who: str) -> dict[str, Any]:
    return {"title": f"Title by {who}"}


ROWS: list[Row] = [
    # identity: the caller
    Row("GET", "/api/v1/me", "200 200 200 200 200 200 403 401"),
    Row("POST", "/api/v1/auth/logout", "204 204 204 204 204 204 403 401", fresh_session=True),
    # users: owned by themselves; private default -> me and my subordinates
    Row("GET", "/api/v1/users", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/users", "201 403 403 403 403 201 403 401", body=new_user),
    Row("GET", "/api/v1/users/export", "200 403 403 403 403 200 403 401"),
    Row("GET", "/api/v1/users/{rep_id}", "200 200 200 404 404 404 200 401"),
    Row("PATCH", "/api/v1/users/{rep_id}", "200 200 200 404 403 404 403 401", body=retitle),
    Row("DELETE", "/api/v1/users/{fresh_id}", "200 403 403 403 403 404 403 401", fresh="user"),
    # roles hierarchy
    Row("GET", "/api/v1/roles", "200 403 403 403 403 200 403 401"),
    Row("POST", "/api/v1/roles", "201 403 403 403 403 422 403 401", body=new_role),
    Row("GET", "/api/v1/roles/{rep_role_id}", "200 403 403 403 403 404 403 401"),
    Row(
        "PATCH",
        "/api/v1/roles/{fresh_id}",
        "200 403 403 403 403 404 403 401",
        body=rename,
        fresh="role",
    ),
    Row("DELETE", "/api/v1/roles/{fresh_id}", "204 403 403 403 403 404 403 401", fresh="role"),
    # profiles
    Row("GET", "/api/v1/profiles", "200 403 403 403 403 200 403 401"),
    Row("POST", "/api/v1/profiles", "201 403 403 403 403 201 403 401", body=new_profile),
    Row("GET", "/api/v1/profiles/{profile_id}", "200 403 403 403 403 404 403 401"),
    Row(
        "PATCH",
        "/api/v1/profiles/{fresh_id}",
        "200 403 403 403 403 404 403 401",
        body=rename,
        fresh="profile",
    ),
    Row(
        "DELETE", "/api/v1/profiles/{fresh_id}", "204 403 403 403 403 404 403 401", fresh="profile"
    ),
    # groups
    Row("GET", "/api/v1/groups", "200 403 403 403 403 200 403 401"),
    Row("POST", "/api/v1/groups", "201 403 403 403 403 422 403 401", body=new_group),
    Row("GET", "/api/v1/groups/{group_id}", "200 403 403 403 403 404 403 401"),
    Row(
        "PATCH",
        "/api/v1/groups/{fresh_id}",
        "200 403 403 403 403 404 403 401",
        body=rename,
        fresh="group",
    ),
    Row("DELETE", "/api/v1/groups/{fresh_id}", "204 403 403 403 403 404 403 401", fresh="group"),
    # sharing
    Row("GET", "/api/v1/sharing-rules", "200 403 403 403 403 200 403 401"),
    Row(
        "POST",
        "/api/v1/sharing-rules",
        "201 403 403 403 403 422 403 401",
        body=lambda org, who: org.rule_body(),
    ),
    Row("GET", "/api/v1/sharing-rules/{rule_id}", "200 403 403 403 403 404 403 401"),
    Row(
        "DELETE",
        "/api/v1/sharing-rules/{fresh_id}",
        "204 403 403 403 403 404 403 401",
        fresh="sharing_rule",
    ),
    Row("GET", "/api/v1/sharing-rules/defaults", "200 403 403 403 403 200 403 401"),
    Row(
        "PUT",
        "/api/v1/sharing-rules/defaults",
        "200 403 403 403 403 200 403 401",
        body=lambda org, who: {"defaults": {"users": "private"}},
    ),
    # API keys and usage
    Row("GET", "/api/v1/api-keys", "200 403 403 403 403 200 403 401"),
    Row("POST", "/api/v1/api-keys", "201 403 403 403 403 422 403 401", body=new_key),
    Row("GET", "/api/v1/api-keys/{key_id}", "200 403 403 403 403 404 403 401"),
    Row(
        "DELETE", "/api/v1/api-keys/{fresh_id}", "200 403 403 403 403 404 403 401", fresh="api_key"
    ),
    Row("GET", "/api/v1/usage", "200 403 403 403 403 200 403 401"),
    Row("GET", "/api/v1/usage/limits", "200 403 403 403 403 200 403 401"),
    Row(
        "PUT",
        "/api/v1/usage/limits",
        "200 403 403 403 403 200 403 401",
        body=lambda org, who: {"daily_limit": 0},
    ),
    # audit
    Row("GET", "/api/v1/audit/logins", "200 403 403 403 403 200 403 401"),
    Row("GET", "/api/v1/audit-log", "200 403 403 403 403 200 403 401"),
    # sales: leads (private default; the fresh lead is owned by the rep; Read Only
    # profile and key: view only; an API key sees every record of its tenant)
    Row("GET", "/api/v1/leads", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/leads", "201 201 201 201 403 201 403 401", body=new_lead),
    Row("GET", "/api/v1/leads/export", "200 200 200 200 403 200 403 401"),
    # import needs leads:import (admin, manager); the matrix sends JSON, so the
    # "file" is the header "last_name" alone: past the access check, 422 no rows
    Row(
        "POST",
        "/api/v1/leads/import",
        "422 422 403 403 403 422 403 401",
        body=lambda org, who: "last_name",
    ),
    Row("GET", "/api/v1/leads/{fresh_id}", "200 200 200 404 404 404 200 401", fresh="lead"),
    Row(
        "PATCH",
        "/api/v1/leads/{fresh_id}",
        "200 200 200 404 403 404 403 401",
        body=retitle,
        fresh="lead",
    ),
    Row(
        "POST",
        "/api/v1/leads/{fresh_id}/status",
        "200 200 200 404 403 404 403 401",
        body=lambda org, who: {"status": "contacted"},
        fresh="lead",
    ),
    Row("DELETE", "/api/v1/leads/{fresh_id}", "204 204 403 403 403 404 403 401", fresh="lead"),
    # sales: accounts (as leads; the fresh account is owned by the rep)
    Row("GET", "/api/v1/accounts", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/accounts", "201 201 201 201 403 201 403 401", body=new_account),
    Row("GET", "/api/v1/accounts/{fresh_id}", "200 200 200 404 404 404 200 401", fresh="account"),
    Row(
        "PATCH",
        "/api/v1/accounts/{fresh_id}",
        "200 200 200 404 403 404 403 401",
        body=rename,
        fresh="account",
    ),
    Row(
        "DELETE", "/api/v1/accounts/{fresh_id}", "204 204 403 403 403 404 403 401", fresh="account"
    ),
    # sales: contacts (of the rep's account: the peer may not see it -> 404; another
    # tenant has no such account -> 422 account_id)
    Row("GET", "/api/v1/contacts", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/contacts", "201 201 201 404 403 422 403 401", body=new_contact),
    Row("GET", "/api/v1/contacts/{fresh_id}", "200 200 200 404 404 404 200 401", fresh="contact"),
    Row(
        "PATCH",
        "/api/v1/contacts/{fresh_id}",
        "200 200 200 404 403 404 403 401",
        body=retitle,
        fresh="contact",
    ),
    Row(
        "DELETE", "/api/v1/contacts/{fresh_id}", "204 204 403 403 403 404 403 401", fresh="contact"
    ),
    # sales: recycle bin (needs <module>:delete: admin, manager; the fresh record is
    # the rep's, deleted by the admin; another tenant's admin does not find it)
    Row("GET", "/api/v1/recycle-bin", "422 422 422 422 422 422 422 401"),  # module missing
    Row("GET", "/api/v1/recycle-bin?module=leads", "200 200 403 403 403 200 403 401"),
    Row(
        "POST",
        "/api/v1/leads/{fresh_id}/restore",
        "200 200 403 403 403 404 403 401",
        fresh="deleted_lead",
    ),
    Row(
        "POST",
        "/api/v1/accounts/{fresh_id}/restore",
        "200 200 403 403 403 404 403 401",
        fresh="deleted_account",
    ),
    Row(
        "POST",
        "/api/v1/contacts/{fresh_id}/restore",
        "200 200 403 403 403 404 403 401",
        fresh="deleted_contact",
    ),
    # platform operator only: no tenant principal gets in
    Row(
        "POST",
        "/api/v1/tenants",
        "401 401 401 401 401 401 401 401",
        body=lambda org, who: {
            "name": "X",
            "slug": unique("x"),
            "admin_email": "a@x.example",
            "admin_password": "correct-horse-battery",
        },
    ),
    Row("POST", "/api/v1/platform/signing-keys/rotate", "401 401 401 401 401 401 401 401"),
]

# Endpoints every caller may use (credentials are their input, or they describe
# the platform itself): they are tested elsewhere.
PUBLIC = {
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/refresh"),
    ("GET", "/.well-known/jwks.json"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
}
