"""Runs the access matrix (access_matrix.py) through the gateway, plus the
record-level and field-level rules that need more than one request."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from crm.identity.v1 import access_pb2, access_pb2_grpc
from crm_common.access import readable_owner_ids
from crm_common.access.resolver import CachedAccessResolver
from crm_common.auth import Principal, reset_current_principal, set_current_principal
from crm_common.grpc.client import create_channel
from tests.integration.access_matrix import Row
from tests.integration.access_org import PRINCIPALS, Org, build_org
from tests.integration.access_rows import ALL_ROWS, PUBLIC
from tests.integration.api import Api
from tests.integration.conftest import INTERNAL_SECRET, Stack


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _call(org: Org, row: Row, principal: str) -> int:
    ids = dict(org.ids)
    if row.fresh:
        ids["fresh_id"] = org.fresh(row.fresh)
    headers = org.headers(principal)
    if row.fresh_session and principal in org.sessions:  # a session of its own to end
        session = org.sessions[principal]
        headers = org.api.login(session.tenant, session.email).headers
    path = row.path.format(**ids)
    body = row.body(org, principal) if row.body else None
    response = org.api.http.request(row.method, path, json=body, headers=headers)
    return response.status_code


@pytest.mark.parametrize("row", ALL_ROWS, ids=lambda r: f"{r.method} {r.path}")
def test_every_principal_gets_exactly_its_status(org: Org, row: Row) -> None:
    got = {p: _call(org, row, p) for p in PRINCIPALS}
    expected = dict(zip(PRINCIPALS, row.statuses(), strict=True))
    assert got == expected


def test_every_endpoint_is_in_the_matrix(api: Api) -> None:
    spec = api.http.get("/openapi.json").json()
    routes = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    covered = {(m, _template(p)) for m, p in {(row.method, row.path) for row in ALL_ROWS} | PUBLIC}
    assert {(m, _template(p)) for m, p in routes} - covered == set()


def _template(path: str) -> str:
    """/api/v1/roles/{rep_role_id} and /api/v1/roles/{id} are the same route
    (and a row may carry a query string the route needs)."""
    return re.sub(r"\{[^}]+\}", "{}", path.split("?", maxsplit=1)[0])


def test_public_read_lets_a_peer_read_but_not_edit(org: Org) -> None:
    path = f"/api/v1/users/{org.ids['rep_id']}"
    org.admin("PUT", "/api/v1/sharing-rules/defaults", json={"defaults": {"users": "public_read"}})
    try:
        peer = org.sessions["peer"]
        assert org.api.request("GET", path, peer).status_code == 200
        assert org.api.request("PATCH", path, peer, json={"title": "x"}).status_code == 403
    finally:
        org.admin("PUT", "/api/v1/sharing-rules/defaults", json={"defaults": {"users": "private"}})
    assert org.api.request("GET", path, org.sessions["peer"]).status_code == 404


def test_a_sharing_rule_opens_records_to_the_grantee(org: Org) -> None:
    # Grantees are roles or groups: share the reps' records with a group of one.
    group = org.admin(
        "POST",
        "/api/v1/groups",
        json={"name": "auditors", "members": [{"type": "user", "id": org.ids["read_only_id"]}]},
    )
    rule = org.admin(
        "POST",
        "/api/v1/sharing-rules",
        json={
            "module": "users",
            "owner": {"type": "role", "id": org.ids["rep_role_id"]},
            "grantee": {"type": "group", "id": group["id"]},
            "access": "read",
        },
    )
    path = f"/api/v1/users/{org.ids['rep_id']}"
    try:
        assert org.api.request("GET", path, org.sessions["read_only"]).status_code == 200
    finally:
        org.api.request("DELETE", f"/api/v1/sharing-rules/{rule['id']}", org.tenant.admin)
    assert org.api.request("GET", path, org.sessions["read_only"]).status_code == 404


def test_moving_a_role_changes_who_sees_whom_at_once(org: Org) -> None:
    path = f"/api/v1/users/{org.ids['rep_id']}"
    manager = org.sessions["manager"]
    assert org.api.request("GET", path, manager).status_code == 200
    org.admin(
        "PATCH",
        f"/api/v1/roles/{org.ids['rep_role_id']}",
        json={"parent_id": org.ids["root_role_id"]},
    )
    try:
        assert org.api.request("GET", path, manager).status_code == 404
    finally:
        org.admin(
            "PATCH",
            f"/api/v1/roles/{org.ids['rep_role_id']}",
            json={"parent_id": org.ids["manager_role_id"]},
        )
    assert org.api.request("GET", path, manager).status_code == 200


def test_hidden_field_never_reaches_the_client(org: Org) -> None:
    auditor_profile = org.admin(
        "POST",
        "/api/v1/profiles",
        json={
            "name": "Auditor",
            "permissions": {"users": ["view", "export"]},
            "fields": {"users": {"phone": "hidden"}},
        },
    )
    user = org.admin(
        "POST",
        "/api/v1/users",
        json={
            "email": f"auditor@{org.tenant.slug}.example",
            "password": "correct-horse-battery",
            "profile_ids": [auditor_profile["id"]],
            "phone": "+31 20 555 0199",
        },
    )
    auditor = org.api.login(org.tenant.slug, f"auditor@{org.tenant.slug}.example")
    org.admin("PUT", "/api/v1/sharing-rules/defaults", json={"defaults": {"users": "public_read"}})
    try:
        me = org.api.request("GET", "/api/v1/me", auditor).json()
        one = org.api.request("GET", f"/api/v1/users/{org.ids['rep_id']}", auditor).json()
        page = org.api.request("GET", "/api/v1/users", auditor).json()
        export = org.api.request("GET", "/api/v1/users/export", auditor).text
    finally:
        org.admin("PUT", "/api/v1/sharing-rules/defaults", json={"defaults": {"users": "private"}})
    assert "phone" not in me["user"] and "phone" not in one
    assert all("phone" not in item for item in page["items"]) and page["items"]
    assert (
        "phone" not in export.splitlines()[0] and "+31 20 555 01" not in export
    )  # no phone number at all
    assert "phone" in org.admin("GET", f"/api/v1/users/{user['id']}")  # admins still see it
    writing = org.api.request(
        "PATCH", f"/api/v1/users/{user['id']}", auditor, json={"phone": "+1 555 0000"}
    )
    assert writing.status_code == 403


def test_read_only_field_is_refused_naming_the_field(org: Org) -> None:
    response = org.api.request(
        "PATCH",
        f"/api/v1/users/{org.ids['rep_id']}",
        org.sessions["rep"],
        json={"email": "new@example.com"},
    )
    assert response.status_code == 403
    assert [e["field"] for e in response.json()["errors"]] == ["email"]


def test_refusals_and_access_changes_reach_the_audit_log(org: Org) -> None:
    org.api.request("POST", "/api/v1/roles", org.sessions["rep"], json={"name": "nope"})
    for _ in range(100):  # bounded: events travel through the outbox and JetStream
        kinds = {
            e["kind"] for e in org.admin("GET", "/api/v1/audit-log", params={"limit": 200})["items"]
        }
        if {"access_denied", "access_changed"} <= kinds:
            break
        time.sleep(0.2)
    assert {"access_denied", "access_changed"} <= kinds


async def test_other_services_resolve_access_through_identity(org: Org, stack: Stack) -> None:
    """The path every other service takes: ResolveAccess over gRPC, cached briefly."""
    channel = create_channel(
        f"127.0.0.1:{stack.identity_port}",
        service="crm.identity.v1.AccessService",
        internal_secret=INTERNAL_SECRET,
    )
    stub = access_pb2_grpc.AccessServiceStub(channel)
    resolver = CachedAccessResolver(lambda: stub.ResolveAccess(access_pb2.ResolveAccessRequest()))
    manager = Principal(kind="user", tenant_id=org.tenant.id, user_id=org.ids["manager_id"])
    token = set_current_principal(manager)
    try:
        ctx = await resolver.resolve(manager)
        again = await resolver.resolve(manager)
    finally:
        reset_current_principal(token)
        await channel.close()
    assert again is ctx  # served from the cache
    owners = readable_owner_ids(ctx, "leads")
    assert owners is not None
    assert {org.ids["manager_id"], org.ids["rep_id"], org.ids["peer_id"]} <= owners
    assert org.ids["read_only_id"] not in owners and org.ids["other_user_id"] not in owners
    assert "view" in ctx.permissions["leads"] and "delete" in ctx.permissions["leads"]
