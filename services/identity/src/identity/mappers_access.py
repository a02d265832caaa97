"""pb2 <-> rows and commands of the access model (AccessService), the one place
they meet."""

from __future__ import annotations

from collections.abc import Iterable

from crm.identity.v1 import access_pb2 as pb
from crm_common.wire import parse_uuid, to_timestamp
from identity.adapters.orm_access import GroupRow, ProfileRow, RoleRow, SharingRuleRow
from identity.domain.access_rules import GroupSpec, Member, ProfileSpec, SharingRuleSpec
from identity.service_layer.groups import UpdateGroup
from identity.service_layer.profiles import UpdateProfile
from identity.service_layer.roles import UpdateRole

# Roles


def role_to_pb(row: RoleRow) -> pb.Role:
    return pb.Role(
        id=str(row.id),
        name=row.name,
        parent_id=str(row.parent_id) if row.parent_id else "",
        depth=row.depth,
        version=row.version,
        created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
    )


def update_role_cmd(req: pb.UpdateRoleRequest) -> UpdateRole:
    mask = tuple(dict.fromkeys(req.update_mask))
    parent_id = None
    if "parent_id" in mask and req.parent_id:
        parent_id = parse_uuid(req.parent_id, "parent_id")
    return UpdateRole(parse_uuid(req.id), mask, req.name, parent_id, req.expected_version)


# Profiles


def profile_to_pb(row: ProfileRow) -> pb.Profile:
    profile = pb.Profile(
        id=str(row.id),
        name=row.name,
        description=row.description,
        system=row.system,
        version=row.version,
        created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
    )
    for module, actions in row.permissions.items():
        profile.permissions[module].actions.extend(actions)
    for module, rules in row.fields.items():
        profile.fields[module].rules.update(rules)
    return profile


def profile_spec(req: pb.ProfileInput) -> ProfileSpec:
    return ProfileSpec(
        name=req.name,
        description=req.description,
        permissions={m: list(a.actions) for m, a in req.permissions.items()},
        fields={m: dict(r.rules) for m, r in req.fields.items()},
    )


def update_profile_cmd(req: pb.UpdateProfileRequest) -> UpdateProfile:
    mask = tuple(dict.fromkeys(req.update_mask))
    return UpdateProfile(parse_uuid(req.id), mask, profile_spec(req.profile), req.expected_version)


# Groups


def _members_to_pb(members: Iterable[dict[str, str]]) -> list[pb.GroupMember]:
    return [pb.GroupMember(type=m.get("type", ""), id=m.get("id", "")) for m in members]


def _member(message: pb.GroupMember) -> Member:
    return Member(type=message.type, id=message.id)


def group_to_pb(row: GroupRow) -> pb.Group:
    return pb.Group(
        id=str(row.id),
        name=row.name,
        members=_members_to_pb(row.members),
        version=row.version,
        created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
    )


def group_spec(req: pb.GroupInput) -> GroupSpec:
    return GroupSpec(name=req.name, members=tuple(_member(m) for m in req.members))


def update_group_cmd(req: pb.UpdateGroupRequest) -> UpdateGroup:
    mask = tuple(dict.fromkeys(req.update_mask))
    return UpdateGroup(parse_uuid(req.id), mask, group_spec(req.group), req.expected_version)


# Sharing


def sharing_rule_to_pb(row: SharingRuleRow) -> pb.SharingRule:
    return pb.SharingRule(
        id=str(row.id),
        module=row.module,
        owner=pb.GroupMember(type=row.owner_type, id=str(row.owner_id)),
        grantee=pb.GroupMember(type=row.grantee_type, id=str(row.grantee_id)),
        access=row.access,
        created_at=to_timestamp(row.created_at),
    )


def sharing_rule_spec(req: pb.SharingRuleInput) -> SharingRuleSpec:
    return SharingRuleSpec(
        module=req.module, owner=_member(req.owner), grantee=_member(req.grantee), access=req.access
    )


def defaults_to_pb(defaults: dict[str, str]) -> pb.SharingDefaults:
    return pb.SharingDefaults(defaults=defaults)
