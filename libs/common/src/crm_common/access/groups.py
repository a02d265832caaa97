"""Identity's groups and users as assignment rules need them (sales deals, support
cases), asked with the caller's principal (the client interceptor forwards it)."""

from __future__ import annotations

import uuid

import grpc

from crm.identity.v1 import access_pb2, access_pb2_grpc
from crm_common.errors import Unavailable


class IdentityGroups:
    def __init__(self, stub: access_pb2_grpc.AccessServiceStub) -> None:
        self._stub = stub  # identity's AccessService, on the service's identity channel

    async def group_users(self, group_id: uuid.UUID) -> list[uuid.UUID] | None:
        """The group's active users, sorted; None when the tenant has no such group."""
        request = access_pb2.ResolveGroupUsersRequest(group_id=str(group_id))
        try:
            response = await self._stub.ResolveGroupUsers(request)
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise Unavailable(f"identity could not resolve the group: {exc.code().name}") from exc
        return sorted(uuid.UUID(i) for i in response.user_ids)

    async def active_user_ids(self) -> set[uuid.UUID]:
        try:
            chart = await self._stub.GetOrgChart(access_pb2.GetOrgChartRequest())
        except grpc.aio.AioRpcError as exc:
            raise Unavailable(f"identity could not list users: {exc.code().name}") from exc
        return {uuid.UUID(u.id) for u in chart.users}
