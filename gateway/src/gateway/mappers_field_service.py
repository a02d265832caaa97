"""Service contracts, work orders, appointments and timelogs: pb2 <-> schema
conversion, the one place for them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from crm.support.v1 import field_service_pb2 as pb
from crm_common.wire import to_timestamp
from gateway.mappers import page_request
from gateway.proto_json import plain
from gateway.schemas.field_service import (
    AppointmentCreate,
    AppointmentPage,
    AppointmentRead,
    AppointmentUpdate,
    ContractCreate,
    ContractPage,
    ContractRead,
    ContractUpdate,
    TimelogCreate,
    TimelogPage,
    TimelogRead,
    WorkOrderCreate,
    WorkOrderPage,
    WorkOrderRead,
    WorkOrderUpdate,
)

# Empty strings on the wire that are "none" in JSON.
OPTIONAL = frozenset(
    {"account_id", "owner_id", "case_id", "asset_id", "service_contract_id", "work_order_id",
     "technician_id", "user_id", "created_by", "updated_by", "start_date", "end_date",
     "status"}
)  # fmt: skip


def _wire(value: Any) -> Any:
    """A schema value as its wire form: ids and dates as text, times as Timestamps."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return to_timestamp(value)
    if isinstance(value, UUID | date):
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


def _values(body: BaseModel, names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    values = {name: _wire(getattr(body, name)) for name in names}
    return {name: value for name, value in values.items() if value is not None}


def _update(body: BaseModel, updatable: tuple[str, ...]) -> tuple[list[str], dict[str, Any]]:
    """The update mask (fields present in the body) and their wire values (null: empty)."""
    present = [name for name in updatable if name in body.model_fields_set]
    return present, _values(body, present)


# ---- service contracts ----

CONTRACT_FIELDS = ("name", "account_id", "owner_id", "start_date", "end_date",
                   "entitlement_type", "entitlement_total", "status", "tier",
                   "description")  # fmt: skip


def create_contract_request(body: ContractCreate) -> pb.CreateServiceContractRequest:
    return pb.CreateServiceContractRequest(**_values(body, CONTRACT_FIELDS))


def update_contract_request(
    contract_id: str, body: ContractUpdate, version: int
) -> pb.UpdateServiceContractRequest:
    mask, values = _update(body, CONTRACT_FIELDS)
    return pb.UpdateServiceContractRequest(
        id=contract_id, update_mask=mask, expected_version=version, **values
    )


def list_contracts_request(
    limit: int, cursor: str | None, *, account_id: UUID | None, status: str | None,
    owner_id: UUID | None,
) -> pb.ListServiceContractsRequest:  # fmt: skip
    return pb.ListServiceContractsRequest(
        page=page_request(limit, cursor), account_id=_wire(account_id) or "",
        status=status or "", owner_id=_wire(owner_id) or "",
    )  # fmt: skip


def contract_read(message: pb.ServiceContract) -> ContractRead:
    return ContractRead.model_validate(plain(message, OPTIONAL))


def contract_page(response: pb.ListServiceContractsResponse) -> ContractPage:
    items = [contract_read(c) for c in response.items]
    return ContractPage(items=items, next_cursor=response.page.next_cursor or None)


# ---- work orders ----

ORDER_FIELDS = ("subject", "description", "case_id", "account_id", "asset_id",
                "service_contract_id", "status", "priority", "owner_id")  # fmt: skip


def create_work_order_request(body: WorkOrderCreate) -> pb.CreateWorkOrderRequest:
    return pb.CreateWorkOrderRequest(**_values(body, ORDER_FIELDS))


def update_work_order_request(
    order_id: str, body: WorkOrderUpdate, version: int
) -> pb.UpdateWorkOrderRequest:
    mask, values = _update(body, ORDER_FIELDS)
    return pb.UpdateWorkOrderRequest(
        id=order_id, update_mask=mask, expected_version=version, **values
    )


def list_work_orders_request(
    limit: int, cursor: str | None, filters: dict[str, Any]
) -> pb.ListWorkOrdersRequest:
    values = {name: _wire(value) for name, value in filters.items() if value is not None}
    return pb.ListWorkOrdersRequest(page=page_request(limit, cursor), **values)


def work_order_read(message: pb.WorkOrder) -> WorkOrderRead:
    return WorkOrderRead.model_validate(plain(message, OPTIONAL))


def work_order_page(response: pb.ListWorkOrdersResponse) -> WorkOrderPage:
    items = [work_order_read(o) for o in response.items]
    return WorkOrderPage(items=items, next_cursor=response.page.next_cursor or None)


# ---- service appointments ----

VISIT_FIELDS = ("asset_id", "technician_id", "scheduled_start", "scheduled_end", "status",
                "address", "notes")  # fmt: skip


def create_appointment_request(body: AppointmentCreate) -> pb.CreateServiceAppointmentRequest:
    return pb.CreateServiceAppointmentRequest(**_values(body, ("work_order_id", *VISIT_FIELDS)))


def update_appointment_request(
    appointment_id: str, body: AppointmentUpdate, version: int
) -> pb.UpdateServiceAppointmentRequest:
    mask, values = _update(body, VISIT_FIELDS)
    return pb.UpdateServiceAppointmentRequest(
        id=appointment_id, update_mask=mask, expected_version=version, **values
    )


def list_appointments_request(
    limit: int, cursor: str | None, filters: dict[str, Any]
) -> pb.ListServiceAppointmentsRequest:
    values = {name: _wire(value) for name, value in filters.items() if value is not None}
    return pb.ListServiceAppointmentsRequest(page=page_request(limit, cursor), **values)


def appointment_read(message: pb.ServiceAppointment) -> AppointmentRead:
    return AppointmentRead.model_validate(plain(message, OPTIONAL))


def appointment_page(response: pb.ListServiceAppointmentsResponse) -> AppointmentPage:
    items = [appointment_read(a) for a in response.items]
    return AppointmentPage(items=items, next_cursor=response.page.next_cursor or None)


# ---- timelogs ----


def create_timelog_request(
    body: TimelogCreate, *, case_id: str = "", work_order_id: str = ""
) -> pb.CreateTimelogRequest:
    values = _values(body, ("minutes", "billable", "started_at", "note", "user_id"))
    return pb.CreateTimelogRequest(case_id=case_id, work_order_id=work_order_id, **values)


def list_timelogs_request(
    limit: int, cursor: str | None, *, case_id: str = "", work_order_id: str = ""
) -> pb.ListTimelogsRequest:
    return pb.ListTimelogsRequest(
        page=page_request(limit, cursor), case_id=case_id, work_order_id=work_order_id
    )


def timelog_read(message: pb.Timelog) -> TimelogRead:
    return TimelogRead.model_validate(plain(message, OPTIONAL))


def timelog_page(response: pb.ListTimelogsResponse) -> TimelogPage:
    data = plain(response, OPTIONAL)
    return TimelogPage(
        items=[timelog_read(t) for t in response.items],
        next_cursor=response.page.next_cursor or None,
        totals=data["totals"],
    )
