"""AccessService servicer: parse, call a handler, map. Nothing else."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.identity.v1 import access_pb2 as pb
from crm.identity.v1 import access_pb2_grpc
from crm_common.access.wire import to_pb
from crm_common.auth import require_authenticated
from identity import mappers_access as m
from identity import mappers_org
from identity.mappers import page_to_pb, parse_uuid
from identity.service_layer import directory, groups, org_chart, profiles, roles, sharing
from identity.service_layer.access_resolution import access_for
from identity.service_layer.deps import IdentityDeps

Context: TypeAlias = grpc.aio.ServicerContext


class AccessServicer(access_pb2_grpc.AccessServiceServicer):
    def __init__(self, deps: IdentityDeps) -> None:
        self._deps = deps

    # Roles

    async def CreateRole(self, request: pb.CreateRoleRequest, context: Context) -> pb.Role:
        parent_id = parse_uuid(request.parent_id, "parent_id") if request.parent_id else None
        row = await roles.create_role(request.name, parent_id, require_authenticated(), self._deps)
        return m.role_to_pb(row)

    async def GetRole(self, request: pb.GetByIdRequest, context: Context) -> pb.Role:
        row = await roles.get_role(parse_uuid(request.id), require_authenticated(), self._deps)
        return m.role_to_pb(row)

    async def ListRoles(self, request: pb.ListRequest, context: Context) -> pb.ListRolesResponse:
        page = await roles.list_roles(
            require_authenticated(),
            self._deps,
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListRolesResponse(
            items=[m.role_to_pb(r) for r in page.items], page=page_to_pb(page)
        )

    async def UpdateRole(self, request: pb.UpdateRoleRequest, context: Context) -> pb.Role:
        cmd = m.update_role_cmd(request)
        return m.role_to_pb(await roles.update_role(cmd, require_authenticated(), self._deps))

    async def DeleteRole(self, request: pb.GetByIdRequest, context: Context) -> pb.DeleteResponse:
        await roles.delete_role(parse_uuid(request.id), require_authenticated(), self._deps)
        return pb.DeleteResponse()

    # Profiles

    async def CreateProfile(self, request: pb.ProfileInput, context: Context) -> pb.Profile:
        spec = m.profile_spec(request)
        row = await profiles.create_profile(spec, require_authenticated(), self._deps)
        return m.profile_to_pb(row)

    async def GetProfile(self, request: pb.GetByIdRequest, context: Context) -> pb.Profile:
        row = await profiles.get_profile(
            parse_uuid(request.id), require_authenticated(), self._deps
        )
        return m.profile_to_pb(row)

    async def ListProfiles(
        self, request: pb.ListRequest, context: Context
    ) -> pb.ListProfilesResponse:
        page = await profiles.list_profiles(
            require_authenticated(),
            self._deps,
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListProfilesResponse(
            items=[m.profile_to_pb(p) for p in page.items], page=page_to_pb(page)
        )

    async def UpdateProfile(self, request: pb.UpdateProfileRequest, context: Context) -> pb.Profile:
        cmd = m.update_profile_cmd(request)
        row = await profiles.update_profile(cmd, require_authenticated(), self._deps)
        return m.profile_to_pb(row)

    async def DeleteProfile(
        self, request: pb.GetByIdRequest, context: Context
    ) -> pb.DeleteResponse:
        await profiles.delete_profile(parse_uuid(request.id), require_authenticated(), self._deps)
        return pb.DeleteResponse()

    # Groups

    async def CreateGroup(self, request: pb.GroupInput, context: Context) -> pb.Group:
        spec = m.group_spec(request)
        return m.group_to_pb(await groups.create_group(spec, require_authenticated(), self._deps))

    async def GetGroup(self, request: pb.GetByIdRequest, context: Context) -> pb.Group:
        row = await groups.get_group(parse_uuid(request.id), require_authenticated(), self._deps)
        return m.group_to_pb(row)

    async def ListGroups(self, request: pb.ListRequest, context: Context) -> pb.ListGroupsResponse:
        page = await groups.list_groups(
            require_authenticated(),
            self._deps,
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListGroupsResponse(
            items=[m.group_to_pb(g) for g in page.items], page=page_to_pb(page)
        )

    async def UpdateGroup(self, request: pb.UpdateGroupRequest, context: Context) -> pb.Group:
        cmd = m.update_group_cmd(request)
        return m.group_to_pb(await groups.update_group(cmd, require_authenticated(), self._deps))

    async def DeleteGroup(self, request: pb.GetByIdRequest, context: Context) -> pb.DeleteResponse:
        await groups.delete_group(parse_uuid(request.id), require_authenticated(), self._deps)
        return pb.DeleteResponse()

    # Sharing

    async def CreateSharingRule(
        self, request: pb.SharingRuleInput, context: Context
    ) -> pb.SharingRule:
        spec = m.sharing_rule_spec(request)
        row = await sharing.create_rule(spec, require_authenticated(), self._deps)
        return m.sharing_rule_to_pb(row)

    async def GetSharingRule(self, request: pb.GetByIdRequest, context: Context) -> pb.SharingRule:
        row = await sharing.get_rule(parse_uuid(request.id), require_authenticated(), self._deps)
        return m.sharing_rule_to_pb(row)

    async def ListSharingRules(
        self, request: pb.ListRequest, context: Context
    ) -> pb.ListSharingRulesResponse:
        page = await sharing.list_rules(
            require_authenticated(),
            self._deps,
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListSharingRulesResponse(
            items=[m.sharing_rule_to_pb(r) for r in page.items], page=page_to_pb(page)
        )

    async def DeleteSharingRule(
        self, request: pb.GetByIdRequest, context: Context
    ) -> pb.DeleteResponse:
        await sharing.delete_rule(parse_uuid(request.id), require_authenticated(), self._deps)
        return pb.DeleteResponse()

    async def GetSharingDefaults(
        self, request: pb.GetSharingDefaultsRequest, context: Context
    ) -> pb.SharingDefaults:
        defaults = await sharing.get_defaults(require_authenticated(), self._deps)
        return m.defaults_to_pb(defaults)

    async def SetSharingDefaults(
        self, request: pb.SharingDefaults, context: Context
    ) -> pb.SharingDefaults:
        given = dict(request.defaults)
        defaults = await sharing.set_defaults(given, require_authenticated(), self._deps)
        return m.defaults_to_pb(defaults)

    # Resolution

    async def ResolveAccess(
        self, request: pb.ResolveAccessRequest, context: Context
    ) -> pb.AccessContext:
        principal = require_authenticated()
        async with self._deps.uow() as uow:
            return to_pb(await access_for(uow, principal))

    # For other services acting for the caller (assignment rules, forecasts)

    async def ResolveGroupUsers(
        self, request: pb.ResolveGroupUsersRequest, context: Context
    ) -> pb.ResolveGroupUsersResponse:
        group_id = parse_uuid(request.group_id, "group_id")
        users = await org_chart.resolve_group_users(group_id, require_authenticated(), self._deps)
        return mappers_org.group_users_to_pb(users)

    async def GetOrgChart(self, request: pb.GetOrgChartRequest, context: Context) -> pb.OrgChart:
        chart = await org_chart.get_org_chart(require_authenticated(), self._deps)
        return mappers_org.org_chart_to_pb(chart)

    # For internal services acting on their own (notifications)

    async def ResolveUserContacts(
        self, request: pb.ResolveUserContactsRequest, context: Context
    ) -> pb.ResolveUserContactsResponse:
        ids = [parse_uuid(i, "user_ids") for i in request.user_ids]
        rows = await directory.user_contacts(ids, require_authenticated(), self._deps)
        return mappers_org.user_contacts_to_pb(rows)

    async def ResolveUsersWithPermission(
        self, request: pb.ResolveUsersWithPermissionRequest, context: Context
    ) -> pb.ResolveUsersWithPermissionResponse:
        ids = await directory.users_with_permission(
            request.module, request.action, require_authenticated(), self._deps
        )
        return mappers_org.users_with_permission_to_pb(ids)
