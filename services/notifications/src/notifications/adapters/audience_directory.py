"""Identity as the rules need it: the users a group stands for, the users holding
a permission, and the role tree.

No caller is behind an event, so each call carries a service principal of the
event's tenant (``kind="service"``): identity answers for that tenant only. An
identity that cannot answer raises ``Unavailable``; the consumer then retries
the event later (its notifications are written in the same transaction).
"""

from __future__ import annotations

import uuid
from typing import Any

import grpc

from crm.identity.v1 import access_pb2
from crm_common.auth import acting_as_service
from crm_common.errors import Unavailable
from notifications.domain.rules import OrgChart


class AudienceDirectory:
    def __init__(self, access_stub: Any) -> None:
        self._stub = access_stub  # identity's AccessServiceStub

    async def group_users(self, tenant_id: uuid.UUID, group_id: str) -> list[str]:
        """The group's active users; none for a group the tenant does not have."""
        request = access_pb2.ResolveGroupUsersRequest(group_id=group_id)
        try:
            with acting_as_service(tenant_id):
                response = await self._stub.ResolveGroupUsers(request)
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                return []
            raise Unavailable(f"identity could not resolve the group: {exc.code().name}") from exc
        return list(response.user_ids)

    async def users_with_permission(
        self, tenant_id: uuid.UUID, module: str, action: str
    ) -> list[str]:
        request = access_pb2.ResolveUsersWithPermissionRequest(module=module, action=action)
        try:
            with acting_as_service(tenant_id):
                response = await self._stub.ResolveUsersWithPermission(request)
        except grpc.aio.AioRpcError as exc:
            raise Unavailable(f"identity could not list {module} users: {exc.code().name}") from exc
        return list(response.user_ids)

    async def org_chart(self, tenant_id: uuid.UUID) -> OrgChart:
        try:
            with acting_as_service(tenant_id):
                chart = await self._stub.GetOrgChart(access_pb2.GetOrgChartRequest())
        except grpc.aio.AioRpcError as exc:
            raise Unavailable(f"identity could not give the org chart: {exc.code().name}") from exc
        return OrgChart(
            parents={role.id: role.parent_id for role in chart.roles},
            role_of={user.id: user.role_id for user in chart.users},
        )
