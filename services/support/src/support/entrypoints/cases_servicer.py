"""CaseService servicer: who is calling, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.support.v1 import cases_pb2 as pb
from crm.support.v1 import cases_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from support import mappers_cases as mappers
from support.service_layer import cases, comments
from support.service_layer.deps import AccessResolver, SupportDeps

Context: TypeAlias = grpc.aio.ServicerContext


class CaseServicer(cases_pb2_grpc.CaseServiceServicer):
    def __init__(self, deps: SupportDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    async def CreateCase(self, request: pb.CreateCaseRequest, context: Context) -> pb.Case:
        cmd = mappers.create_case_cmd(request)
        return mappers.case_to_pb(await cases.create_case(cmd, await self._ctx(), self._deps))

    async def GetCase(self, request: pb.GetCaseRequest, context: Context) -> pb.Case:
        found = await cases.get_case(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.case_to_pb(found)

    async def ListCases(
        self, request: pb.ListCasesRequest, context: Context
    ) -> pb.ListCasesResponse:
        page = await cases.list_cases(
            await self._ctx(), self._deps, mappers.case_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.case_to_pb(c) for c in page.items]
        return pb.ListCasesResponse(items=items, page=mappers.page_to_pb(page))

    async def UpdateCase(self, request: pb.UpdateCaseRequest, context: Context) -> pb.Case:
        cmd = mappers.update_case_cmd(request)
        return mappers.case_to_pb(await cases.update_case(cmd, await self._ctx(), self._deps))

    async def _status(self, request: pb.CaseActionRequest, status: str) -> pb.Case:
        case_id = parse_uuid(request.id)
        changed = await cases.set_status(
            case_id, request.expected_version, status, await self._ctx(), self._deps
        )
        return mappers.case_to_pb(changed)

    async def ResolveCase(self, request: pb.CaseActionRequest, context: Context) -> pb.Case:
        return await self._status(request, "resolved")

    async def CloseCase(self, request: pb.CaseActionRequest, context: Context) -> pb.Case:
        return await self._status(request, "closed")

    async def ReopenCase(self, request: pb.CaseActionRequest, context: Context) -> pb.Case:
        return await self._status(request, "open")

    async def AssignCase(self, request: pb.AssignCaseRequest, context: Context) -> pb.Case:
        cmd = mappers.assign_case_cmd(request)
        return mappers.case_to_pb(await cases.assign_case(cmd, await self._ctx(), self._deps))

    async def DeleteCase(
        self, request: pb.CaseActionRequest, context: Context
    ) -> pb.DeleteCaseResponse:
        await cases.delete_case(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return pb.DeleteCaseResponse()

    async def AddComment(self, request: pb.AddCommentRequest, context: Context) -> pb.CaseComment:
        cmd = mappers.add_comment_cmd(request)
        comment = await comments.add_comment(cmd, await self._ctx(), self._deps)
        return mappers.comment_to_pb(comment)

    async def ListComments(
        self, request: pb.ListCommentsRequest, context: Context
    ) -> pb.ListCommentsResponse:
        page = await comments.list_comments(
            parse_uuid(request.case_id, "case_id"), await self._ctx(), self._deps,
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.comment_to_pb(c) for c in page.items]
        return pb.ListCommentsResponse(items=items, page=mappers.page_to_pb(page))
