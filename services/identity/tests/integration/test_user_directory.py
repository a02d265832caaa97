"""ResolveUserContacts and ResolveUsersWithPermission against a real PostgreSQL:
internal services (principal kind "service" with the tenant) learn users'
contacts and who holds a permission ("*" included); users, API keys and other
tenants learn nothing."""

from __future__ import annotations

import uuid

import pytest

from crm.identity.v1 import access_pb2
from crm_common.auth import Principal, reset_current_principal, set_current_principal
from crm_common.errors import InvalidArgument, PermissionDenied
from identity.domain.access_rules import ProfileSpec
from identity.domain.commands import CreateTenant, CreateUser
from identity.entrypoints.access_server import AccessServicer
from identity.service_layer import directory, profiles, tenants, users
from identity.service_layer.deps import IdentityDeps

PASSWORD = "correct-horse-battery"


async def _tenant(deps: IdentityDeps) -> tuple[Principal, Principal]:
    slug = f"dir-{uuid.uuid4().hex[:10]}"
    tenant, admin_id = await tenants.create_tenant(
        CreateTenant("Acme", slug, f"admin@{slug}.example", PASSWORD), deps
    )
    admin = Principal(kind="user", tenant_id=str(tenant.id), user_id=str(admin_id))
    return admin, Principal(kind="service", tenant_id=str(tenant.id))


async def _user(deps: IdentityDeps, admin: Principal, **kw: object) -> uuid.UUID:
    email = f"{uuid.uuid4().hex[:8]}@acme.example"
    cmd = CreateUser(email, PASSWORD, **kw)  # type: ignore[arg-type,unused-ignore]
    return (await users.create_user(cmd, admin, deps)).row.id


async def test_contacts_in_the_order_asked_with_language_and_zone(deps: IdentityDeps) -> None:
    admin, service = await _tenant(deps)
    ana = await _user(
        deps, admin, first_name="Ana", last_name="Rossi", language="it", timezone="Europe/Rome"
    )
    nameless = await _user(deps, admin, language="fa", timezone="Asia/Tehran")
    gone = await _user(deps, admin)
    await users.disable_user(gone, admin, deps)
    other_admin, _ = await _tenant(deps)
    stranger = uuid.UUID(other_admin.user_id)
    found = await directory.user_contacts(
        [nameless, stranger, ana, uuid.uuid4(), gone, ana], service, deps
    )
    assert [r.id for r in found] == [nameless, ana, gone]
    token = set_current_principal(service)
    try:
        request = access_pb2.ResolveUserContactsRequest(
            user_ids=[str(ana), str(nameless), str(gone)]
        )
        reply = await AccessServicer(deps).ResolveUserContacts(request, None)
    finally:
        reset_current_principal(token)
    by_id = {c.user_id: c for c in reply.contacts}
    assert by_id[str(ana)].display_name == "Ana Rossi"
    assert (by_id[str(ana)].language, by_id[str(ana)].timezone) == ("it", "Europe/Rome")
    assert by_id[str(ana)].email.endswith("@acme.example") and by_id[str(ana)].active
    assert by_id[str(nameless)].display_name == by_id[str(nameless)].email
    assert by_id[str(nameless)].language == "fa"
    assert not by_id[str(gone)].active


async def test_users_with_permission_include_wildcards(deps: IdentityDeps) -> None:
    admin, service = await _tenant(deps)
    stock = await profiles.create_profile(
        ProfileSpec("Stock keeper", permissions={"stock": ["view", "edit"]}), admin, deps
    )
    every_action = await profiles.create_profile(
        ProfileSpec("Stock boss", permissions={"stock": ["*"]}), admin, deps
    )
    viewer = await profiles.create_profile(
        ProfileSpec("Stock viewer", permissions={"stock": ["view"]}), admin, deps
    )
    keeper = await _user(deps, admin, profile_ids=[stock.id])
    boss = await _user(deps, admin, profile_ids=[every_action.id])
    looker = await _user(deps, admin, profile_ids=[viewer.id])
    disabled = await _user(deps, admin, profile_ids=[stock.id])
    await users.disable_user(disabled, admin, deps)
    found = await directory.users_with_permission("stock", "edit", service, deps)
    # the tenant's admin holds "*" on "*"
    assert found == sorted([keeper, boss, uuid.UUID(admin.user_id)])
    assert looker not in found
    token = set_current_principal(service)
    try:
        request = access_pb2.ResolveUsersWithPermissionRequest(module="stock", action="view")
        reply = await AccessServicer(deps).ResolveUsersWithPermission(request, None)
    finally:
        reset_current_principal(token)
    assert set(reply.user_ids) == {str(keeper), str(boss), str(looker), admin.user_id}
    nobody = await directory.users_with_permission("no_such_module", "view", service, deps)
    assert nobody == [uuid.UUID(admin.user_id)]


async def test_only_internal_services_may_ask(deps: IdentityDeps) -> None:
    admin, service = await _tenant(deps)
    key = Principal(kind="api_key", tenant_id=admin.tenant_id, extra={"api_key_id": "x"})
    for caller in (admin, key):
        with pytest.raises(PermissionDenied):
            await directory.user_contacts([uuid.UUID(admin.user_id)], caller, deps)
        with pytest.raises(PermissionDenied):
            await directory.users_with_permission("stock", "view", caller, deps)
    with pytest.raises(InvalidArgument):
        await directory.users_with_permission("", "view", service, deps)
    with pytest.raises(InvalidArgument):
        await directory.user_contacts([uuid.uuid4() for _ in range(501)], service, deps)
    token = set_current_principal(admin)
    try:
        request = access_pb2.ResolveUserContactsRequest(user_ids=[admin.user_id])
        with pytest.raises(PermissionDenied):
            await AccessServicer(deps).ResolveUserContacts(request, None)
    finally:
        reset_current_principal(token)
