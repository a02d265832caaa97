"""ActivityService servicer: parse, resolve the caller's access, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.sales.v1 import activities_pb2 as pb
from crm.sales.v1 import activities_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from sales import mappers_activities as m
from sales.domain.commands import DeleteRecord
from sales.mappers import page_to_pb
from sales.service_layer import activities, recycle_bin
from sales.service_layer.deps import AccessResolver, SalesDeps

Context: TypeAlias = grpc.aio.ServicerContext


class ActivityServicer(activities_pb2_grpc.ActivityServiceServicer):
    def __init__(self, deps: SalesDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    async def CreateActivity(
        self, request: pb.CreateActivityRequest, context: Context
    ) -> pb.Activity:
        cmd = m.create_activity_cmd(request)
        return m.activity_to_pb(
            await activities.create_activity(cmd, await self._ctx(), self._deps)
        )

    async def GetActivity(self, request: pb.GetActivityRequest, context: Context) -> pb.Activity:
        activity_id = parse_uuid(request.id)
        found = await activities.get_activity(activity_id, await self._ctx(), self._deps)
        return m.activity_to_pb(found)

    async def ListActivities(
        self, request: pb.ListActivitiesRequest, context: Context
    ) -> pb.ListActivitiesResponse:
        page = await activities.list_activities(
            await self._ctx(),
            self._deps,
            m.activity_filters(request),
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListActivitiesResponse(
            items=[m.activity_to_pb(a) for a in page.items], page=page_to_pb(page)
        )

    async def UpdateActivity(
        self, request: pb.UpdateActivityRequest, context: Context
    ) -> pb.Activity:
        cmd = m.update_activity_cmd(request)
        return m.activity_to_pb(
            await activities.update_activity(cmd, await self._ctx(), self._deps)
        )

    async def DeleteActivity(
        self, request: pb.DeleteActivityRequest, context: Context
    ) -> pb.DeleteActivityResponse:
        cmd = DeleteRecord(parse_uuid(request.id), request.expected_version)
        await activities.delete_activity(cmd, await self._ctx(), self._deps)
        return pb.DeleteActivityResponse()

    async def RestoreActivity(
        self, request: pb.RestoreActivityRequest, context: Context
    ) -> pb.Activity:
        activity_id = parse_uuid(request.id)
        restored = await recycle_bin.restore_activity(activity_id, await self._ctx(), self._deps)
        return m.activity_to_pb(restored)
