"""Identity's org chart (roles and active users), asked with the caller's principal."""

from __future__ import annotations

import grpc

from crm.identity.v1 import access_pb2, access_pb2_grpc
from sales.domain.forecasts import OrgChart, OrgUser, RoleNode


class IdentityOrgChart:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = access_pb2_grpc.AccessServiceStub(channel)

    async def org_chart(self) -> OrgChart:
        chart = await self._stub.GetOrgChart(access_pb2.GetOrgChartRequest())
        return OrgChart(
            roles=[RoleNode(r.id, r.name, r.parent_id) for r in chart.roles],
            users=[OrgUser(u.id, u.display_name, u.role_id) for u in chart.users],
        )
