"""IdentityService servicer: parse, call a handler, map. Nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeAlias

import grpc

from crm.identity.v1 import identity_pb2 as pb
from crm.identity.v1 import identity_pb2_grpc
from crm_common.auth import current_principal, require_authenticated
from crm_common.errors import PermissionDenied
from identity import mappers
from identity.domain import commands
from identity.service_layer import audit, keys, sessions, tenants, users
from identity.service_layer.deps import IdentityDeps

Context: TypeAlias = grpc.aio.ServicerContext


class IdentityServicer(identity_pb2_grpc.IdentityServiceServicer):
    def __init__(self, deps: IdentityDeps) -> None:
        self._deps = deps

    async def CreateTenant(
        self, request: pb.CreateTenantRequest, context: Context
    ) -> pb.CreateTenantResponse:
        if current_principal().kind != "platform":
            raise PermissionDenied("only the platform operator creates tenants")
        tenant, admin_id = await tenants.create_tenant(
            mappers.create_tenant_cmd(request), self._deps
        )
        return pb.CreateTenantResponse(
            tenant=mappers.tenant_to_pb(tenant), admin_user_id=str(admin_id)
        )

    async def IssueToken(self, request: pb.IssueTokenRequest, context: Context) -> pb.TokenPair:
        cmd = commands.IssueToken(
            request.tenant, request.email, request.password, request.client_ip, request.user_agent
        )
        return await sessions.issue_token(cmd, self._deps)

    async def RefreshToken(self, request: pb.RefreshTokenRequest, context: Context) -> pb.TokenPair:
        cmd = commands.RefreshToken(request.refresh_token, request.client_ip)
        return await sessions.refresh_token(cmd, self._deps)

    async def Logout(self, request: pb.LogoutRequest, context: Context) -> pb.LogoutResponse:
        principal = require_authenticated()
        await sessions.logout(commands.Logout(request.refresh_token), principal, self._deps)
        return pb.LogoutResponse()

    async def GetJwks(self, request: pb.GetJwksRequest, context: Context) -> pb.GetJwksResponse:
        return pb.GetJwksResponse(jwks_json=await keys.jwks_json(self._deps))

    async def RotateSigningKey(
        self, request: pb.RotateSigningKeyRequest, context: Context
    ) -> pb.RotateSigningKeyResponse:
        kid = await keys.rotate_signing_key(current_principal(), self._deps)
        return pb.RotateSigningKeyResponse(kid=kid)

    async def GetMe(self, request: pb.GetMeRequest, context: Context) -> pb.Me:
        user, tenant, ctx = await users.get_me(require_authenticated(), self._deps)
        return pb.Me(
            user=mappers.user_to_pb(user.row, user.hidden),
            tenant=mappers.tenant_to_pb(tenant),
            permissions=mappers.permission_strings(ctx),
        )

    async def CreateUser(self, request: pb.CreateUserRequest, context: Context) -> pb.User:
        user = await users.create_user(
            mappers.create_user_cmd(request), require_authenticated(), self._deps
        )
        return mappers.user_to_pb(user.row, user.hidden)

    async def GetUser(self, request: pb.GetUserRequest, context: Context) -> pb.User:
        user = await users.get_user(
            mappers.parse_uuid(request.id), require_authenticated(), self._deps
        )
        return mappers.user_to_pb(user.row, user.hidden)

    async def ListUsers(
        self, request: pb.ListUsersRequest, context: Context
    ) -> pb.ListUsersResponse:
        page, hidden = await users.list_users(
            require_authenticated(),
            self._deps,
            limit=request.page.limit,
            cursor=request.page.cursor or None,
            include_inactive=request.include_inactive,
        )
        return pb.ListUsersResponse(
            items=[mappers.user_to_pb(u, hidden) for u in page.items],
            page=mappers.page_to_pb(page),
        )

    async def UpdateUser(self, request: pb.UpdateUserRequest, context: Context) -> pb.User:
        user = await users.update_user(
            mappers.update_user_cmd(request), require_authenticated(), self._deps
        )
        return mappers.user_to_pb(user.row, user.hidden)

    async def DisableUser(self, request: pb.DisableUserRequest, context: Context) -> pb.User:
        user = await users.disable_user(
            mappers.parse_uuid(request.id), require_authenticated(), self._deps
        )
        return mappers.user_to_pb(user.row, user.hidden)

    async def ExportUsers(
        self, request: pb.ExportUsersRequest, context: Context
    ) -> AsyncIterator[pb.User]:
        users_ = users.export_users(
            require_authenticated(), self._deps, include_inactive=request.include_inactive
        )
        async for user in users_:
            yield mappers.user_to_pb(user.row, user.hidden)

    async def ListAccessAudit(
        self, request: pb.ListAccessAuditRequest, context: Context
    ) -> pb.ListAccessAuditResponse:
        page = await audit.list_access_audit(
            require_authenticated(),
            self._deps,
            limit=request.page.limit,
            cursor=request.page.cursor or None,
            kinds=list(request.kinds),
        )
        return pb.ListAccessAuditResponse(
            items=[mappers.audit_to_pb(a) for a in page.items], page=mappers.page_to_pb(page)
        )
