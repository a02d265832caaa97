"""Field service: where pb2 messages and field-service rows and values meet."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from crm.common.v1 import types_pb2
from crm.support.v1 import field_service_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from crm_common.wire import parse_uuid, time_field, to_timestamp
from support.adapters.field_repository import ContractFilters, WorkOrderFilters
from support.adapters.schedule_repository import AppointmentFilters
from support.domain import appointments as appointment_rules
from support.domain import contracts as contract_rules
from support.domain import work_orders as order_rules
from support.service_layer.appointments import VisibleAppointment
from support.service_layer.contracts import VisibleContract
from support.service_layer.timelogs import TimelogPage, VisibleTimelog
from support.service_layer.work_orders import VisibleWorkOrder

_DECIMAL = re.compile(r"[+-]?(\d{1,15})(\.\d{1,10})?")
IDS = frozenset({"account_id", "owner_id", "case_id", "asset_id", "service_contract_id",
                 "work_order_id", "technician_id", "user_id"})  # fmt: skip
DATES = frozenset({"start_date", "end_date"})
TIMES = frozenset({"scheduled_start", "scheduled_end", "started_at"})


def page_to_pb(page: Page[Any]) -> types_pb2.PageResponse:
    return types_pb2.PageResponse(next_cursor=page.next_cursor or "")


def _decimal(text: str, field: str) -> Decimal:
    if not _DECIMAL.fullmatch(text.strip()):
        raise InvalidArgument.for_field(field, "must be a decimal number like 12.5")
    return Decimal(text.strip())


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArgument.for_field(field, "must be a date YYYY-MM-DD") from exc


def _value(message: Any, name: str) -> Any:
    """One wire field as a value: ids, dates, times and decimals parsed (422
    naming the field), empty ones None."""
    if name in TIMES:
        return time_field(message, name)
    raw = getattr(message, name)
    if isinstance(raw, str) and raw == "" and name not in ("description", "tier", "notes",
                                                           "address", "note"):  # fmt: skip
        return None
    if name in IDS:
        return parse_uuid(raw, name)
    if name in DATES:
        return _date(raw, name)
    if name == "entitlement_total":
        return _decimal(raw, name)
    return raw


def _given(message: Any, names: Iterable[str]) -> dict[str, Any]:
    """The fields a create request carries (unset ones are left to defaults)."""
    values = {name: _value(message, name) for name in names}
    return {name: value for name, value in values.items() if value not in (None, "")}


def _masked(message: Any, allowed: frozenset[str]) -> dict[str, Any]:
    unknown = set(message.update_mask) - allowed
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    return {name: _value(message, name) for name in message.update_mask}


def _hide(message: Any, hidden: Iterable[str]) -> Any:
    """Fields hidden from the caller stay empty and are named in hidden_fields."""
    for name in sorted(hidden):
        if name in message.DESCRIPTOR.fields_by_name:
            message.ClearField(name)
            message.hidden_fields.append(name)
    return message


def _id(value: uuid.UUID | None) -> str:
    return str(value) if value else ""


def _audit(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id), "tenant_id": str(row.tenant_id), "version": row.version,
        "created_at": to_timestamp(row.created_at), "updated_at": to_timestamp(row.updated_at),
        "created_by": _id(row.created_by), "updated_by": _id(row.updated_by),
    }  # fmt: skip


def _figure(value: Decimal, kind: str) -> str:
    """Cases as whole numbers ("3"), hours with two decimals ("2.50")."""
    places = Decimal(1) if kind == "cases" else Decimal("0.01")
    return format(value.quantize(places), "f")


# ---- service contracts ----


def contract_values(req: pb.CreateServiceContractRequest) -> dict[str, Any]:
    return _given(req, sorted(contract_rules.FIELDS))


def contract_changes(req: pb.UpdateServiceContractRequest) -> dict[str, Any]:
    return _masked(req, contract_rules.FIELDS)


def contract_filters(req: pb.ListServiceContractsRequest) -> ContractFilters:
    if req.status and req.status not in contract_rules.STATUSES:
        raise InvalidArgument.for_field("status", "must be one of " + ", ".join(
            contract_rules.STATUSES))  # fmt: skip
    return ContractFilters(
        account_id=_value(req, "account_id"), owner_id=_value(req, "owner_id"), status=req.status
    )


def contract_to_pb(contract: VisibleContract) -> pb.ServiceContract:
    row, used = contract.row, contract.consumption
    kind = row.entitlement_type
    message = pb.ServiceContract(
        **_audit(row), name=row.name, account_id=str(row.account_id),
        owner_id=str(row.owner_id), start_date=row.start_date.isoformat(),
        end_date=row.end_date.isoformat(), entitlement_type=row.entitlement_type,
        entitlement_total=_figure(row.entitlement_total, kind), status=contract.status,
        tier=row.tier, description=row.description,
        consumption=pb.ContractConsumption(
            cases_used=used.cases_used, hours_used=str(used.hours_used),
            used=_figure(used.used, kind), remaining=_figure(used.remaining, kind),
            exhausted=used.exhausted,
        ),
    )  # fmt: skip
    return _hide(message, contract.hidden)


# ---- work orders ----


def work_order_values(req: pb.CreateWorkOrderRequest) -> dict[str, Any]:
    return _given(req, sorted(order_rules.FIELDS))


def work_order_changes(req: pb.UpdateWorkOrderRequest) -> dict[str, Any]:
    return _masked(req, order_rules.FIELDS)


def work_order_filters(req: pb.ListWorkOrdersRequest) -> WorkOrderFilters:
    if req.status and req.status not in order_rules.STATUSES:
        raise InvalidArgument.for_field("status", "must be one of " + ", ".join(
            order_rules.STATUSES))  # fmt: skip
    ids = {n: _value(req, n) for n in ("case_id", "account_id", "service_contract_id", "owner_id")}
    return WorkOrderFilters(status=req.status, **ids)


def work_order_to_pb(order: VisibleWorkOrder) -> pb.WorkOrder:
    row = order.row
    message = pb.WorkOrder(
        **_audit(row), number=row.number, subject=row.subject, description=row.description,
        case_id=_id(row.case_id), account_id=_id(row.account_id), asset_id=_id(row.asset_id),
        service_contract_id=_id(row.service_contract_id), status=row.status,
        priority=row.priority, owner_id=str(row.owner_id),
        completed_at=to_timestamp(row.completed_at),
    )  # fmt: skip
    return _hide(message, order.hidden)


# ---- service appointments ----

APPOINTMENT_CREATE = ("work_order_id", *sorted(appointment_rules.FIELDS))


def appointment_values(req: pb.CreateServiceAppointmentRequest) -> dict[str, Any]:
    return _given(req, APPOINTMENT_CREATE)


def appointment_changes(req: pb.UpdateServiceAppointmentRequest) -> dict[str, Any]:
    return _masked(req, appointment_rules.FIELDS)


def appointment_filters(req: pb.ListServiceAppointmentsRequest) -> AppointmentFilters:
    if req.status and req.status not in appointment_rules.STATUSES:
        raise InvalidArgument.for_field("status", "must be one of " + ", ".join(
            appointment_rules.STATUSES))  # fmt: skip
    return AppointmentFilters(
        work_order_id=_value(req, "work_order_id"), technician_id=_value(req, "technician_id"),
        status=req.status, starts_from=time_field(req, "starts_from"),
        starts_before=time_field(req, "starts_before"),
    )  # fmt: skip


def appointment_to_pb(appointment: VisibleAppointment) -> pb.ServiceAppointment:
    row = appointment.row
    message = pb.ServiceAppointment(
        **_audit(row), work_order_id=str(row.work_order_id), asset_id=_id(row.asset_id),
        technician_id=str(row.technician_id), scheduled_start=to_timestamp(row.scheduled_start),
        scheduled_end=to_timestamp(row.scheduled_end), status=row.status, address=row.address,
        notes=row.notes,
    )  # fmt: skip
    return _hide(message, appointment.hidden)


# ---- timelogs ----


def timelog_values(req: pb.CreateTimelogRequest) -> dict[str, Any]:
    values = _given(req, ("case_id", "work_order_id", "started_at", "note", "user_id"))
    values["minutes"] = req.minutes
    if req.HasField("billable"):
        values["billable"] = req.billable
    return values


def timelog_parent(req: pb.ListTimelogsRequest) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    case_id, order_id = _value(req, "case_id"), _value(req, "work_order_id")
    if (case_id is None) == (order_id is None):
        raise InvalidArgument.for_field("case_id", "give exactly one of case_id, work_order_id")
    return case_id, order_id


def timelog_to_pb(timelog: VisibleTimelog) -> pb.Timelog:
    row = timelog.row
    message = pb.Timelog(
        id=str(row.id), tenant_id=str(row.tenant_id), case_id=_id(row.case_id),
        work_order_id=_id(row.work_order_id), user_id=str(row.user_id), minutes=row.minutes,
        billable=row.billable, started_at=to_timestamp(row.started_at), note=row.note,
        created_at=to_timestamp(row.created_at), created_by=_id(row.created_by),
    )  # fmt: skip
    return _hide(message, timelog.hidden)


def timelog_page_to_pb(result: TimelogPage) -> pb.ListTimelogsResponse:
    totals = result.totals
    return pb.ListTimelogsResponse(
        items=[timelog_to_pb(t) for t in result.page.items], page=page_to_pb(result.page),
        totals=pb.TimelogTotals(
            total_minutes=totals.total_minutes, billable_minutes=totals.billable_minutes,
            total_hours=str(totals.total_hours), billable_hours=str(totals.billable_hours),
        ),
    )  # fmt: skip
