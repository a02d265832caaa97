"""SlaService servicer: who is calling, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.support.v1 import sla_pb2 as pb
from crm.support.v1 import sla_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from support import mappers_sla as mappers
from support.service_layer import business_hours, sla_policies
from support.service_layer.deps import AccessResolver, SupportDeps

Context: TypeAlias = grpc.aio.ServicerContext


class SlaServicer(sla_pb2_grpc.SlaServiceServicer):
    def __init__(self, deps: SupportDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    # ---- business hours ----

    async def CreateBusinessHours(
        self, request: pb.CreateBusinessHoursRequest, context: Context
    ) -> pb.BusinessHours:
        values = mappers.create_calendar_values(request)
        row = await business_hours.create_business_hours(values, await self._ctx(), self._deps)
        return mappers.calendar_to_pb(row)

    async def GetBusinessHours(
        self, request: pb.GetBusinessHoursRequest, context: Context
    ) -> pb.BusinessHours:
        calendar_id = parse_uuid(request.id)
        row = await business_hours.get_business_hours(calendar_id, await self._ctx(), self._deps)
        return mappers.calendar_to_pb(row)

    async def ListBusinessHours(
        self, request: pb.ListBusinessHoursRequest, context: Context
    ) -> pb.ListBusinessHoursResponse:
        page = await business_hours.list_business_hours(
            await self._ctx(), self._deps,
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListBusinessHoursResponse(
            items=[mappers.calendar_to_pb(r) for r in page.items], page=mappers.page_to_pb(page)
        )

    async def UpdateBusinessHours(
        self, request: pb.UpdateBusinessHoursRequest, context: Context
    ) -> pb.BusinessHours:
        cmd = business_hours.UpdateCalendar(
            record_id=parse_uuid(request.id),
            changes=mappers.update_calendar_changes(request),
            expected_version=request.expected_version,
        )
        row = await business_hours.update_business_hours(cmd, await self._ctx(), self._deps)
        return mappers.calendar_to_pb(row)

    async def DeleteBusinessHours(
        self, request: pb.DeleteBusinessHoursRequest, context: Context
    ) -> pb.DeleteBusinessHoursResponse:
        await business_hours.delete_business_hours(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return pb.DeleteBusinessHoursResponse()

    # ---- policies ----

    async def CreateSlaPolicy(
        self, request: pb.CreateSlaPolicyRequest, context: Context
    ) -> pb.SlaPolicy:
        values = mappers.create_policy_values(request)
        row = await sla_policies.create_sla_policy(values, await self._ctx(), self._deps)
        return mappers.policy_to_pb(row)

    async def GetSlaPolicy(self, request: pb.GetSlaPolicyRequest, context: Context) -> pb.SlaPolicy:
        row = await sla_policies.get_sla_policy(
            parse_uuid(request.id), await self._ctx(), self._deps
        )
        return mappers.policy_to_pb(row)

    async def ListSlaPolicies(
        self, request: pb.ListSlaPoliciesRequest, context: Context
    ) -> pb.ListSlaPoliciesResponse:
        page = await sla_policies.list_sla_policies(
            await self._ctx(), self._deps,
            active_only=request.active if request.HasField("active") else None,
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListSlaPoliciesResponse(
            items=[mappers.policy_to_pb(r) for r in page.items], page=mappers.page_to_pb(page)
        )

    async def UpdateSlaPolicy(
        self, request: pb.UpdateSlaPolicyRequest, context: Context
    ) -> pb.SlaPolicy:
        cmd = sla_policies.UpdatePolicy(
            record_id=parse_uuid(request.id),
            changes=mappers.update_policy_changes(request),
            expected_version=request.expected_version,
        )
        row = await sla_policies.update_sla_policy(cmd, await self._ctx(), self._deps)
        return mappers.policy_to_pb(row)

    async def DeleteSlaPolicy(
        self, request: pb.DeleteSlaPolicyRequest, context: Context
    ) -> pb.DeleteSlaPolicyResponse:
        await sla_policies.delete_sla_policy(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return pb.DeleteSlaPolicyResponse()

    async def MatchSlaPolicy(
        self, request: pb.MatchSlaPolicyRequest, context: Context
    ) -> pb.MatchSlaPolicyResponse:
        contract = request.service_contract_id
        row = await sla_policies.preview_match(
            await self._ctx(), self._deps,
            priority=request.priority, account_tier=request.account_tier,
            service_contract_id=parse_uuid(contract, "service_contract_id") if contract else None,
        )  # fmt: skip
        if row is None:
            return pb.MatchSlaPolicyResponse(matched=False)
        return pb.MatchSlaPolicyResponse(matched=True, policy=mappers.policy_to_pb(row))
