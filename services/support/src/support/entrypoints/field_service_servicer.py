"""FieldService servicer: who is calling, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.support.v1 import field_service_pb2 as pb
from crm.support.v1 import field_service_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from support import mappers_field as mappers
from support.service_layer import appointments, contracts, timelogs, work_orders
from support.service_layer.deps import AccessResolver, SupportDeps

Context: TypeAlias = grpc.aio.ServicerContext
Deleted = pb.DeleteFieldRecordResponse


class FieldServicer(field_service_pb2_grpc.FieldServiceServicer):
    def __init__(self, deps: SupportDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    # ---- service contracts ----

    async def CreateServiceContract(
        self, request: pb.CreateServiceContractRequest, context: Context
    ) -> pb.ServiceContract:
        values = mappers.contract_values(request)
        made = await contracts.create_contract(values, await self._ctx(), self._deps)
        return mappers.contract_to_pb(made)

    async def GetServiceContract(
        self, request: pb.GetServiceContractRequest, context: Context
    ) -> pb.ServiceContract:
        found = await contracts.get_contract(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.contract_to_pb(found)

    async def ListServiceContracts(
        self, request: pb.ListServiceContractsRequest, context: Context
    ) -> pb.ListServiceContractsResponse:
        page = await contracts.list_contracts(
            await self._ctx(), self._deps, mappers.contract_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.contract_to_pb(c) for c in page.items]
        return pb.ListServiceContractsResponse(items=items, page=mappers.page_to_pb(page))

    async def UpdateServiceContract(
        self, request: pb.UpdateServiceContractRequest, context: Context
    ) -> pb.ServiceContract:
        changes = mappers.contract_changes(request)
        changed = await contracts.update_contract(
            parse_uuid(request.id), changes, request.expected_version, await self._ctx(),
            self._deps,
        )  # fmt: skip
        return mappers.contract_to_pb(changed)

    async def DeleteServiceContract(
        self, request: pb.DeleteFieldRecordRequest, context: Context
    ) -> Deleted:
        await contracts.delete_contract(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return Deleted()

    # ---- work orders ----

    async def CreateWorkOrder(
        self, request: pb.CreateWorkOrderRequest, context: Context
    ) -> pb.WorkOrder:
        values = mappers.work_order_values(request)
        made = await work_orders.create_work_order(values, await self._ctx(), self._deps)
        return mappers.work_order_to_pb(made)

    async def GetWorkOrder(self, request: pb.GetWorkOrderRequest, context: Context) -> pb.WorkOrder:
        order_id = parse_uuid(request.id)
        found = await work_orders.get_work_order(order_id, await self._ctx(), self._deps)
        return mappers.work_order_to_pb(found)

    async def ListWorkOrders(
        self, request: pb.ListWorkOrdersRequest, context: Context
    ) -> pb.ListWorkOrdersResponse:
        page = await work_orders.list_work_orders(
            await self._ctx(), self._deps, mappers.work_order_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.work_order_to_pb(o) for o in page.items]
        return pb.ListWorkOrdersResponse(items=items, page=mappers.page_to_pb(page))

    async def UpdateWorkOrder(
        self, request: pb.UpdateWorkOrderRequest, context: Context
    ) -> pb.WorkOrder:
        changes = mappers.work_order_changes(request)
        changed = await work_orders.update_work_order(
            parse_uuid(request.id), changes, request.expected_version, await self._ctx(),
            self._deps,
        )  # fmt: skip
        return mappers.work_order_to_pb(changed)

    async def DeleteWorkOrder(
        self, request: pb.DeleteFieldRecordRequest, context: Context
    ) -> Deleted:
        await work_orders.delete_work_order(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return Deleted()

    # ---- service appointments ----

    async def CreateServiceAppointment(
        self, request: pb.CreateServiceAppointmentRequest, context: Context
    ) -> pb.ServiceAppointment:
        values = mappers.appointment_values(request)
        made = await appointments.create_appointment(values, await self._ctx(), self._deps)
        return mappers.appointment_to_pb(made)

    async def GetServiceAppointment(
        self, request: pb.GetServiceAppointmentRequest, context: Context
    ) -> pb.ServiceAppointment:
        appointment_id = parse_uuid(request.id)
        found = await appointments.get_appointment(appointment_id, await self._ctx(), self._deps)
        return mappers.appointment_to_pb(found)

    async def ListServiceAppointments(
        self, request: pb.ListServiceAppointmentsRequest, context: Context
    ) -> pb.ListServiceAppointmentsResponse:
        page = await appointments.list_appointments(
            await self._ctx(), self._deps, mappers.appointment_filters(request),
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        items = [mappers.appointment_to_pb(a) for a in page.items]
        return pb.ListServiceAppointmentsResponse(items=items, page=mappers.page_to_pb(page))

    async def UpdateServiceAppointment(
        self, request: pb.UpdateServiceAppointmentRequest, context: Context
    ) -> pb.ServiceAppointment:
        changes = mappers.appointment_changes(request)
        changed = await appointments.update_appointment(
            parse_uuid(request.id), changes, request.expected_version, await self._ctx(),
            self._deps,
        )  # fmt: skip
        return mappers.appointment_to_pb(changed)

    async def DeleteServiceAppointment(
        self, request: pb.DeleteFieldRecordRequest, context: Context
    ) -> Deleted:
        await appointments.delete_appointment(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return Deleted()

    # ---- timelogs ----

    async def CreateTimelog(self, request: pb.CreateTimelogRequest, context: Context) -> pb.Timelog:
        values = mappers.timelog_values(request)
        made = await timelogs.create_timelog(values, await self._ctx(), self._deps)
        return mappers.timelog_to_pb(made)

    async def ListTimelogs(
        self, request: pb.ListTimelogsRequest, context: Context
    ) -> pb.ListTimelogsResponse:
        case_id, order_id = mappers.timelog_parent(request)
        result = await timelogs.list_timelogs(
            case_id, order_id, await self._ctx(), self._deps,
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return mappers.timelog_page_to_pb(result)

    async def DeleteTimelog(
        self, request: pb.DeleteFieldRecordRequest, context: Context
    ) -> Deleted:
        await timelogs.delete_timelog(parse_uuid(request.id), await self._ctx(), self._deps)
        return Deleted()
