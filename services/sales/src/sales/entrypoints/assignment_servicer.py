"""AssignmentRuleService servicer: parse, resolve the caller's access, call a
handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.sales.v1 import assignment_pb2 as pb
from crm.sales.v1 import assignment_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from sales import mappers_assignment as m
from sales.mappers import page_to_pb
from sales.service_layer import assignment_rules
from sales.service_layer.deps import AccessResolver, SalesDeps

Context: TypeAlias = grpc.aio.ServicerContext


class AssignmentRuleServicer(assignment_pb2_grpc.AssignmentRuleServiceServicer):
    def __init__(self, deps: SalesDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    async def CreateAssignmentRule(
        self, request: pb.CreateAssignmentRuleRequest, context: Context
    ) -> pb.AssignmentRule:
        spec = m.rule_spec(request)
        return m.rule_to_pb(await assignment_rules.create_rule(spec, await self._ctx(), self._deps))

    async def GetAssignmentRule(
        self, request: pb.GetAssignmentRuleRequest, context: Context
    ) -> pb.AssignmentRule:
        rule_id = parse_uuid(request.id)
        return m.rule_to_pb(await assignment_rules.get_rule(rule_id, await self._ctx(), self._deps))

    async def ListAssignmentRules(
        self, request: pb.ListAssignmentRulesRequest, context: Context
    ) -> pb.ListAssignmentRulesResponse:
        page = await assignment_rules.list_rules(
            await self._ctx(),
            self._deps,
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListAssignmentRulesResponse(
            items=[m.rule_to_pb(r) for r in page.items], page=page_to_pb(page)
        )

    async def UpdateAssignmentRule(
        self, request: pb.UpdateAssignmentRuleRequest, context: Context
    ) -> pb.AssignmentRule:
        cmd = m.update_rule_cmd(request)
        return m.rule_to_pb(await assignment_rules.update_rule(cmd, await self._ctx(), self._deps))

    async def DeleteAssignmentRule(
        self, request: pb.DeleteAssignmentRuleRequest, context: Context
    ) -> pb.DeleteAssignmentRuleResponse:
        rule_id = parse_uuid(request.id)
        await assignment_rules.delete_rule(rule_id, await self._ctx(), self._deps)
        return pb.DeleteAssignmentRuleResponse()
