"""ResolveGroupUsers and GetOrgChart against a real PostgreSQL: members expanded
to active users (users, role members, roles with subordinates), sorted; any
caller of the tenant may ask; another tenant's group is not found."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from crm.identity.v1 import access_pb2
from crm_common.auth import Principal, reset_current_principal, set_current_principal
from crm_common.errors import NotFound
from identity.adapters.orm_access import RoleRow
from identity.domain.access_rules import GroupSpec, Member
from identity.domain.commands import CreateTenant, CreateUser
from identity.entrypoints.access_server import AccessServicer
from identity.service_layer import groups, org_chart, roles, tenants, users
from identity.service_layer.deps import IdentityDeps

PASSWORD = "correct-horse-battery"


async def _tenant(deps: IdentityDeps) -> tuple[Principal, uuid.UUID]:
    slug = f"oc-{uuid.uuid4().hex[:10]}"
    tenant, admin_id = await tenants.create_tenant(
        CreateTenant("Acme", slug, f"admin@{slug}.example", PASSWORD), deps
    )
    async with deps.uow() as uow:
        root = await uow.session.scalar(
            sa.select(RoleRow.id).where(RoleRow.tenant_id == tenant.id, RoleRow.parent_id.is_(None))
        )
    assert root is not None
    return Principal(kind="user", tenant_id=str(tenant.id), user_id=str(admin_id)), root


async def _user(
    deps: IdentityDeps, admin: Principal, role_id: uuid.UUID | None, name: str = ""
) -> uuid.UUID:
    email = f"{uuid.uuid4().hex[:8]}@acme.example"
    cmd = CreateUser(email, PASSWORD, first_name=name, role_id=role_id)
    return (await users.create_user(cmd, admin, deps)).row.id


async def test_group_members_expand_to_active_users(deps: IdentityDeps) -> None:
    admin, root = await _tenant(deps)
    sales = await roles.create_role("Sales", root, admin, deps)
    reps = await roles.create_role("Reps", sales.id, admin, deps)
    support = await roles.create_role("Support", root, admin, deps)
    head = await _user(deps, admin, sales.id)
    rep = await _user(deps, admin, reps.id)
    agent = await _user(deps, admin, support.id)
    loner = await _user(deps, admin, None)
    gone = await _user(deps, admin, reps.id)
    await users.disable_user(gone, admin, deps)
    members = [
        Member("role_and_subordinates", str(sales.id)),
        Member("role", str(support.id)),
        Member("user", str(loner)),
    ]
    group = await groups.create_group(GroupSpec("Everyone", members), admin, deps)
    reader = Principal(kind="user", tenant_id=admin.tenant_id, user_id=str(rep))
    found = await org_chart.resolve_group_users(group.id, reader, deps)
    assert found == sorted([head, rep, agent, loner])
    only_role = await groups.create_group(
        GroupSpec("Reps only", [Member("role", str(reps.id))]), admin, deps
    )
    assert await org_chart.resolve_group_users(only_role.id, admin, deps) == [rep]
    empty = await groups.create_group(GroupSpec("Empty", []), admin, deps)
    assert await org_chart.resolve_group_users(empty.id, admin, deps) == []
    other, _ = await _tenant(deps)
    with pytest.raises(NotFound):
        await org_chart.resolve_group_users(group.id, other, deps)


async def test_org_chart_lists_roles_and_active_users(deps: IdentityDeps) -> None:
    admin, root = await _tenant(deps)
    team = await roles.create_role("Team", root, admin, deps)
    ada = await _user(deps, admin, team.id, "Ada")
    gone = await _user(deps, admin, team.id)
    await users.disable_user(gone, admin, deps)
    token = set_current_principal(admin)
    try:
        chart = await AccessServicer(deps).GetOrgChart(access_pb2.GetOrgChartRequest(), None)
    finally:
        reset_current_principal(token)
    assert {(r.id, r.parent_id) for r in chart.roles} == {
        (str(root), ""),
        (str(team.id), str(root)),
    }
    by_id = {u.id: u for u in chart.users}
    assert str(gone) not in by_id and by_id[str(ada)].role_id == str(team.id)
    assert by_id[str(ada)].display_name == "Ada"
    assert by_id[admin.user_id].display_name  # an e-mail when no name


async def test_another_tenants_group_is_not_found_through_the_servicer(deps: IdentityDeps) -> None:
    admin, _ = await _tenant(deps)
    group = await groups.create_group(GroupSpec("G", []), admin, deps)
    other, _ = await _tenant(deps)
    token = set_current_principal(other)
    try:
        request = access_pb2.ResolveGroupUsersRequest(group_id=str(group.id))
        with pytest.raises(NotFound):
            await AccessServicer(deps).ResolveGroupUsers(request, None)
    finally:
        reset_current_principal(token)
