"""pb2 <-> schema conversion for the access model (AccessService), the one place."""

from __future__ import annotations

from collections.abc import Iterable

from crm.common.v1 import types_pb2
from crm.identity.v1 import access_pb2 as pb
from crm_common.wire import time_field
from gateway.mappers import page_request
from gateway.schemas.access import (
    GroupCreate,
    GroupPage,
    GroupRead,
    GroupUpdate,
    Member,
    ProfileCreate,
    ProfilePage,
    ProfileRead,
    ProfileUpdate,
    RoleCreate,
    RolePage,
    RoleRead,
    RoleUpdate,
    SharingDefaults,
    SharingRuleCreate,
    SharingRulePage,
    SharingRuleRead,
)

ROLE_FIELDS = ("name", "parent_id")
PROFILE_FIELDS = ("name", "description", "permissions", "fields")
GROUP_FIELDS = ("name", "members")


def _next_cursor(page: types_pb2.PageResponse) -> str | None:
    return page.next_cursor or None


def list_request(limit: int, cursor: str | None) -> pb.ListRequest:
    return pb.ListRequest(page=page_request(limit, cursor))


def _mask(body: RoleUpdate | ProfileUpdate | GroupUpdate, names: Iterable[str]) -> list[str]:
    return [name for name in names if name in body.model_fields_set]


# Roles


def role_read(role: pb.Role) -> RoleRead:
    return RoleRead(
        id=role.id,
        name=role.name,
        parent_id=role.parent_id or None,
        depth=role.depth,
        version=role.version,
        created_at=time_field(role, "created_at"),
        updated_at=time_field(role, "updated_at"),
    )


def role_page(response: pb.ListRolesResponse) -> RolePage:
    items = [role_read(r) for r in response.items]
    return RolePage(items=items, next_cursor=_next_cursor(response.page))


def create_role_request(body: RoleCreate) -> pb.CreateRoleRequest:
    return pb.CreateRoleRequest(name=body.name, parent_id=body.parent_id)


def update_role_request(role_id: str, body: RoleUpdate, version: int) -> pb.UpdateRoleRequest:
    return pb.UpdateRoleRequest(
        id=role_id,
        update_mask=_mask(body, ROLE_FIELDS),
        name=body.name or "",
        parent_id=body.parent_id or "",
        expected_version=version,
    )


# Profiles


def profile_read(profile: pb.Profile) -> ProfileRead:
    return ProfileRead(
        id=profile.id,
        name=profile.name,
        description=profile.description,
        permissions={m: list(a.actions) for m, a in profile.permissions.items()},
        fields={m: dict(r.rules) for m, r in profile.fields.items()},
        system=profile.system,
        version=profile.version,
        created_at=time_field(profile, "created_at"),
        updated_at=time_field(profile, "updated_at"),
    )


def profile_page(response: pb.ListProfilesResponse) -> ProfilePage:
    items = [profile_read(p) for p in response.items]
    return ProfilePage(items=items, next_cursor=_next_cursor(response.page))


def profile_input(body: ProfileCreate | ProfileUpdate) -> pb.ProfileInput:
    message = pb.ProfileInput(name=body.name or "", description=body.description or "")
    for module, actions in (body.permissions or {}).items():
        message.permissions[module].actions.extend(actions)
    for module, rules in (body.fields or {}).items():
        message.fields[module].rules.update(rules)
    return message


def update_profile_request(
    profile_id: str, body: ProfileUpdate, version: int
) -> pb.UpdateProfileRequest:
    return pb.UpdateProfileRequest(
        id=profile_id,
        update_mask=_mask(body, PROFILE_FIELDS),
        profile=profile_input(body),
        expected_version=version,
    )


# Groups


def _member_pb(member: Member) -> pb.GroupMember:
    return pb.GroupMember(type=member.type, id=member.id)


def _member(member: pb.GroupMember) -> Member:
    return Member(type=member.type, id=member.id)


def group_read(group: pb.Group) -> GroupRead:
    return GroupRead(
        id=group.id,
        name=group.name,
        members=[_member(m) for m in group.members],
        version=group.version,
        created_at=time_field(group, "created_at"),
        updated_at=time_field(group, "updated_at"),
    )


def group_page(response: pb.ListGroupsResponse) -> GroupPage:
    items = [group_read(g) for g in response.items]
    return GroupPage(items=items, next_cursor=_next_cursor(response.page))


def group_input(body: GroupCreate | GroupUpdate) -> pb.GroupInput:
    members = [_member_pb(m) for m in body.members or []]
    return pb.GroupInput(name=body.name or "", members=members)


def update_group_request(group_id: str, body: GroupUpdate, version: int) -> pb.UpdateGroupRequest:
    return pb.UpdateGroupRequest(
        id=group_id,
        update_mask=_mask(body, GROUP_FIELDS),
        group=group_input(body),
        expected_version=version,
    )


# Sharing


def sharing_rule_read(rule: pb.SharingRule) -> SharingRuleRead:
    return SharingRuleRead(
        id=rule.id,
        module=rule.module,
        owner=_member(rule.owner),
        grantee=_member(rule.grantee),
        access=rule.access,
        created_at=time_field(rule, "created_at"),
    )


def sharing_rule_page(response: pb.ListSharingRulesResponse) -> SharingRulePage:
    items = [sharing_rule_read(r) for r in response.items]
    return SharingRulePage(items=items, next_cursor=_next_cursor(response.page))


def sharing_rule_input(body: SharingRuleCreate) -> pb.SharingRuleInput:
    return pb.SharingRuleInput(
        module=body.module,
        owner=_member_pb(body.owner),
        grantee=_member_pb(body.grantee),
        access=body.access,
    )


def sharing_defaults(message: pb.SharingDefaults) -> SharingDefaults:
    return SharingDefaults(defaults=dict(message.defaults))


def sharing_defaults_pb(body: SharingDefaults) -> pb.SharingDefaults:
    return pb.SharingDefaults(defaults=body.defaults)
