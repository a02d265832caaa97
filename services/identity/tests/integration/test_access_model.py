"""The access model against a real PostgreSQL: the roles tree and its moves,
deletion rules, resolution reflecting changes at once, groups, sharing rules and
defaults, profile validation, permissions and the AccessChanged trail."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from crm.identity.v1 import access_pb2, events_pb2
from crm_common.access import AccessContext
from crm_common.auth import Principal, reset_current_principal, set_current_principal
from crm_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from crm_common.events.envelope import parse_envelope, unpack_payload
from crm_common.events.tables import OutboxMessage
from identity.adapters.orm_access import ProfileRow, RoleRow
from identity.domain import events, seeds
from identity.domain.access_rules import GroupSpec, Member, ProfileSpec, SharingRuleSpec
from identity.domain.commands import CreateTenant, CreateUser
from identity.entrypoints.access_server import AccessServicer
from identity.service_layer import groups, profiles, roles, sharing, tenants, users
from identity.service_layer.access_resolution import access_for
from identity.service_layer.deps import IdentityDeps
from identity.service_layer.roles import UpdateRole

PASSWORD = "correct-horse-battery"


@dataclass
class Org:
    tenant_id: str
    admin: Principal
    root: uuid.UUID
    profiles: dict[str, uuid.UUID]

    def user(self, user_id: uuid.UUID) -> Principal:
        return Principal(kind="user", tenant_id=self.tenant_id, user_id=str(user_id))


@pytest.fixture
async def org(deps: IdentityDeps) -> Org:
    slug = f"am-{uuid.uuid4().hex[:10]}"
    tenant, admin_id = await tenants.create_tenant(
        CreateTenant("Acme", slug, f"admin@{slug}.example", PASSWORD), deps
    )
    async with deps.uow() as uow:
        root = await uow.session.scalar(
            sa.select(RoleRow.id).where(RoleRow.tenant_id == tenant.id, RoleRow.parent_id.is_(None))
        )
        rows = await uow.session.scalars(
            sa.select(ProfileRow).where(ProfileRow.tenant_id == tenant.id)
        )
        by_name = {p.name: p.id for p in rows}
    admin = Principal(kind="user", tenant_id=str(tenant.id), user_id=str(admin_id))
    assert root is not None
    return Org(str(tenant.id), admin, root, by_name)


async def role(deps: IdentityDeps, org: Org, name: str, parent: uuid.UUID) -> RoleRow:
    return await roles.create_role(name, parent, org.admin, deps)


async def user(deps: IdentityDeps, org: Org, role_id: uuid.UUID, profile: str) -> uuid.UUID:
    email = f"{uuid.uuid4().hex[:8]}@acme.example"
    cmd = CreateUser(email, PASSWORD, role_id=role_id, profile_ids=[org.profiles[profile]])
    return (await users.create_user(cmd, org.admin, deps)).row.id


async def context(deps: IdentityDeps, principal: Principal) -> AccessContext:
    async with deps.uow() as uow:
        return await access_for(uow, principal)


def move(role_id: uuid.UUID, parent: uuid.UUID, version: int = 0) -> UpdateRole:
    return UpdateRole(role_id, ("parent_id",), parent_id=parent, expected_version=version)


def fields_of(error: InvalidArgument) -> list[str]:
    return [v.field for v in error.violations]


async def test_moving_a_role_moves_its_subtree(deps: IdentityDeps, org: Org) -> None:
    a = await role(deps, org, "A", org.root)
    b = await role(deps, org, "B", a.id)
    c = await role(deps, org, "C", b.id)
    d = await role(deps, org, "D", org.root)
    assert (c.path, c.depth) == (f"/{org.root}/{a.id}/{b.id}/{c.id}/", 3)
    moved = await roles.update_role(move(b.id, d.id, b.version), org.admin, deps)
    assert (moved.path, moved.depth, moved.parent_id) == (f"/{org.root}/{d.id}/{b.id}/", 2, d.id)
    below = await roles.get_role(c.id, org.admin, deps)
    assert (below.path, below.depth) == (f"/{org.root}/{d.id}/{b.id}/{c.id}/", 3)
    assert below.version == c.version + 1
    with pytest.raises(VersionConflict):
        await roles.update_role(move(b.id, a.id, b.version), org.admin, deps)


async def test_cycles_and_moving_the_root_are_refused(deps: IdentityDeps, org: Org) -> None:
    a = await role(deps, org, "A", org.root)
    b = await role(deps, org, "B", a.id)
    for target in (a.id, b.id):
        with pytest.raises(InvalidArgument) as refused:
            await roles.update_role(move(a.id, target), org.admin, deps)
        assert fields_of(refused.value) == ["parent_id"]
    with pytest.raises(FailedPrecondition):
        await roles.update_role(move(org.root, a.id), org.admin, deps)
    with pytest.raises(InvalidArgument) as missing:
        await roles.create_role("Orphan", None, org.admin, deps)
    assert fields_of(missing.value) == ["parent_id"]


async def test_concurrent_moves_cannot_build_a_cycle(deps: IdentityDeps, org: Org) -> None:
    """Each of a ring of sibling roles moves under the next at once: applied one by
    one (the tree lock), every move but the one closing the ring succeeds."""
    ring = [await role(deps, org, f"Ring {i}", org.root) for i in range(4)]
    results = await asyncio.gather(
        *(
            roles.update_role(move(r.id, ring[i - 1].id), org.admin, deps)
            for i, r in enumerate(ring)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, RoleRow) for r in results) == len(ring) - 1
    assert sum(isinstance(r, InvalidArgument) for r in results) == 1


async def test_deleting_a_role_needs_it_empty(deps: IdentityDeps, org: Org) -> None:
    team = await role(deps, org, "Team", org.root)
    leaf = await role(deps, org, "Leaf", team.id)
    staffed = await role(deps, org, "Staffed", org.root)
    await user(deps, org, staffed.id, "Sales Rep")
    for blocked in (org.root, team.id, staffed.id):
        with pytest.raises(FailedPrecondition):
            await roles.delete_role(blocked, org.admin, deps)
    await roles.delete_role(leaf.id, org.admin, deps)
    with pytest.raises(NotFound):
        await roles.get_role(leaf.id, org.admin, deps)
    await roles.delete_role(team.id, org.admin, deps)  # now childless
    with pytest.raises(AlreadyExists) as taken:
        await role(deps, org, "Staffed", org.root)
    assert taken.value.field == "name"


async def test_resolution_follows_the_tree_at_once(deps: IdentityDeps, org: Org) -> None:
    sales = await role(deps, org, "Sales Manager", org.root)
    support = await role(deps, org, "Support Manager", org.root)
    reps = await role(deps, org, "Reps", sales.id)
    manager = await user(deps, org, sales.id, "Sales Manager")
    peer = await user(deps, org, support.id, "Sales Manager")
    rep = await user(deps, org, reps.id, "Sales Rep")
    assert str(rep) in (await context(deps, org.user(manager))).own_ids
    assert str(rep) not in (await context(deps, org.user(peer))).own_ids
    assert str(manager) not in (await context(deps, org.user(rep))).own_ids
    await roles.update_role(move(reps.id, support.id), org.admin, deps)
    assert str(rep) not in (await context(deps, org.user(manager))).own_ids
    assert str(rep) in (await context(deps, org.user(peer))).own_ids


async def test_group_of_a_role_and_its_subordinates(deps: IdentityDeps, org: Org) -> None:
    sales = await role(deps, org, "Sales", org.root)
    reps = await role(deps, org, "Reps", sales.id)
    other = await role(deps, org, "Other", org.root)
    rep = await user(deps, org, reps.id, "Sales Rep")
    outsider = await user(deps, org, other.id, "Sales Rep")
    spec = GroupSpec("Sales team", [Member("role_and_subordinates", str(sales.id))])
    group = await groups.create_group(spec, org.admin, deps)
    assert str(group.id) in (await context(deps, org.user(rep))).group_ids
    assert str(group.id) not in (await context(deps, org.user(outsider))).group_ids
    bad = GroupSpec("Ghosts", [Member("user", str(uuid.uuid4())), Member("team", str(rep))])
    with pytest.raises(InvalidArgument) as refused:
        await groups.create_group(bad, org.admin, deps)
    assert set(fields_of(refused.value)) == {"members"}


async def test_sharing_rules_grant_read_or_write(deps: IdentityDeps, org: Org) -> None:
    east = await role(deps, org, "East", org.root)
    west = await role(deps, org, "West", org.root)
    owner = await user(deps, org, east.id, "Sales Rep")
    grantee = await user(deps, org, west.id, "Sales Rep")
    for module, access in (("leads", "read"), ("deals", "read_write")):
        spec = SharingRuleSpec(
            module, Member("role", str(east.id)), Member("role", str(west.id)), access
        )
        await sharing.create_rule(spec, org.admin, deps)
    ctx = await context(deps, org.user(grantee))
    assert str(owner) in ctx.shared_read["leads"] and "leads" not in ctx.shared_write
    assert str(owner) in ctx.shared_write["deals"] and "deals" not in ctx.shared_read
    ghost = SharingRuleSpec(
        "leads", Member("group", str(uuid.uuid4())), Member("role", str(west.id)), "read"
    )
    with pytest.raises(InvalidArgument) as refused:
        await sharing.create_rule(ghost, org.admin, deps)
    assert fields_of(refused.value) == ["owner.id"]
    with pytest.raises(FailedPrecondition):  # rules still name it
        await roles.delete_role(west.id, org.admin, deps)


async def test_sharing_defaults(deps: IdentityDeps, org: Org) -> None:
    defaults = await sharing.get_defaults(org.admin, deps)
    assert set(defaults) == set(seeds.MODULES) and defaults["roles"] == "private"
    changed = await sharing.set_defaults({"leads": "public_read"}, org.admin, deps)
    assert changed["leads"] == "public_read" and changed["users"] == "public_read"
    with pytest.raises(InvalidArgument) as refused:
        await sharing.set_defaults({"leads": "open", "nope": "private"}, org.admin, deps)
    assert fields_of(refused.value) == ["defaults.leads", "defaults.nope"]


async def test_profile_rules(deps: IdentityDeps, org: Org) -> None:
    bad = ProfileSpec(
        "Bad",
        permissions={"leadz": ["view"], "leads": ["fly"]},
        fields={"users": {"phone": "invisible"}},
    )
    with pytest.raises(InvalidArgument) as refused:
        await profiles.create_profile(bad, org.admin, deps)
    assert fields_of(refused.value) == [
        "permissions.leads",
        "permissions.leadz",
        "fields.users.phone",
    ]
    good = ProfileSpec(
        "Auditor", permissions={"leads": ["view", "export"]}, fields={"users": {"phone": "hidden"}}
    )
    created = await profiles.create_profile(good, org.admin, deps)
    assert created.permissions == {"leads": ["export", "view"]} and not created.system
    admin_profile = org.profiles[seeds.ADMINISTRATOR]
    with pytest.raises(FailedPrecondition):
        await profiles.delete_profile(admin_profile, org.admin, deps)
    narrow = profiles.UpdateProfile(
        admin_profile, ("permissions",), ProfileSpec(permissions={"leads": ["view"]})
    )
    with pytest.raises(FailedPrecondition):
        await profiles.update_profile(narrow, org.admin, deps)
    cmd = CreateUser(f"{uuid.uuid4().hex[:8]}@acme.example", PASSWORD, profile_ids=[created.id])
    await users.create_user(cmd, org.admin, deps)
    with pytest.raises(FailedPrecondition):
        await profiles.delete_profile(created.id, org.admin, deps)


async def test_read_only_users_cannot_change_the_model(deps: IdentityDeps, org: Org) -> None:
    reader = org.user(await user(deps, org, org.root, seeds.READ_ONLY))
    with pytest.raises(PermissionDenied):
        await roles.create_role("Mine", org.root, reader, deps)
    with pytest.raises(PermissionDenied):
        await profiles.create_profile(ProfileSpec("Mine", permissions={"*": ["*"]}), reader, deps)
    with pytest.raises(PermissionDenied):
        await sharing.set_defaults({"leads": "public_read_write"}, reader, deps)


async def test_another_tenants_records_are_not_found(deps: IdentityDeps, org: Org) -> None:
    mine = await role(deps, org, "Mine", org.root)
    slug = f"am-{uuid.uuid4().hex[:10]}"
    other, other_admin = await tenants.create_tenant(
        CreateTenant("Other", slug, f"a@{slug}.example", PASSWORD), deps
    )
    stranger = Principal(kind="user", tenant_id=str(other.id), user_id=str(other_admin))
    with pytest.raises(NotFound):
        await roles.get_role(mine.id, stranger, deps)
    with pytest.raises(NotFound):
        await roles.delete_role(mine.id, stranger, deps)


async def test_servicer_maps_requests_and_answers(deps: IdentityDeps, org: Org) -> None:
    servicer = AccessServicer(deps)
    token = set_current_principal(org.admin)
    try:
        created = await servicer.CreateRole(
            access_pb2.CreateRoleRequest(name="Grpc", parent_id=str(org.root)),
            None,  # type: ignore[arg-type]
        )
        assert created.parent_id == str(org.root) and created.depth == 1
        renamed = await servicer.UpdateRole(
            access_pb2.UpdateRoleRequest(
                id=created.id, update_mask=["name"], name="Grpc 2", expected_version=1
            ),
            None,  # type: ignore[arg-type]
        )
        assert (renamed.name, renamed.version) == ("Grpc 2", 2)
        page = await servicer.ListProfiles(access_pb2.ListRequest(), None)  # type: ignore[arg-type]
        admin = next(p for p in page.items if p.name == seeds.ADMINISTRATOR)
        assert list(admin.permissions["*"].actions) == ["*"] and admin.system
        with pytest.raises(InvalidArgument) as refused:
            await servicer.UpdateRole(
                access_pb2.UpdateRoleRequest(id=created.id, update_mask=["depth"]),
                None,  # type: ignore[arg-type]
            )
        assert fields_of(refused.value) == ["depth"]
    finally:
        reset_current_principal(token)


async def test_every_change_is_an_access_changed_event(deps: IdentityDeps, org: Org) -> None:
    team = await role(deps, org, "Team", org.root)
    await roles.update_role(UpdateRole(team.id, ("name",), name="Squad"), org.admin, deps)
    spec = GroupSpec("G", [Member("role", str(team.id))])
    group = await groups.create_group(spec, org.admin, deps)
    await groups.delete_group(group.id, org.admin, deps)
    await roles.delete_role(team.id, org.admin, deps)
    profile = await profiles.create_profile(
        ProfileSpec("P", permissions={"leads": ["view"]}), org.admin, deps
    )
    await profiles.delete_profile(profile.id, org.admin, deps)
    await sharing.set_defaults({"cases": "public_read"}, org.admin, deps)
    async with deps.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.subject == events.ACCESS_CHANGED,
                OutboxMessage.tenant_id == org.tenant_id,
            )
            .order_by(OutboxMessage.seq)
        )
        envelopes = [parse_envelope(r.payload) for r in rows]
    changes = [unpack_payload(e, events_pb2.AccessChanged) for e in envelopes]
    assert [(c.kind, c.change) for c in changes] == [
        ("role", "created"),
        ("role", "updated"),
        ("group", "created"),
        ("group", "deleted"),
        ("role", "deleted"),
        ("profile", "created"),
        ("profile", "deleted"),
        ("sharing_defaults", "updated"),
    ]
    assert all(e.actor_id == org.admin.user_id for e in envelopes)
    assert changes[0].record_id == str(team.id) and envelopes[0].subject_id == str(team.id)
