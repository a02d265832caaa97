"""Cases: where pb2 messages, rows and commands meet."""

from __future__ import annotations

import uuid
from typing import Any

from crm.common.v1 import types_pb2
from crm.support.v1 import cases_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from crm_common.wire import parse_uuid, time_field, to_timestamp
from support.adapters.case_repository import CaseFilters
from support.adapters.orm_cases import CaseCommentRow
from support.domain import cases as rules
from support.service_layer.cases import AssignCase, CreateCase, UpdateCase, VisibleCase
from support.service_layer.comments import AddComment

TEXT = ("subject", "description", "priority", "status", "channel", "account_tier", "sla_status")
IDS = (*rules.ID_FIELDS, "sla_policy_id")
TIMES = (
    "reported_at", "first_response_due_at", "next_response_due_at", "resolution_due_at",
    "first_responded_at", "resolved_at", "closed_at", "sla_paused_at",
)  # fmt: skip
FLAGS = ("first_response_breached", "resolution_breached", "next_response_breached")


def _id(value: uuid.UUID | None) -> str:
    return str(value) if value else ""


def case_to_pb(case: VisibleCase) -> pb.Case:
    row = case.row
    values: dict[str, Any] = {name: getattr(row, name) or "" for name in TEXT}
    values.update({name: _id(getattr(row, name)) for name in IDS})
    values.update({name: to_timestamp(getattr(row, name)) for name in TIMES})
    values.update({name: bool(getattr(row, name)) for name in FLAGS})
    message = pb.Case(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        number=row.number,
        escalation_level=row.escalation_level or 0,
        version=row.version,
        created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
        created_by=_id(row.created_by),
        updated_by=_id(row.updated_by),
        **values,
    )
    if row.first_response_minutes is not None:
        message.first_response_minutes = row.first_response_minutes
    if row.resolution_minutes is not None:
        message.resolution_minutes = row.resolution_minutes
    for name in sorted(case.hidden):
        if name in message.DESCRIPTOR.fields_by_name:
            message.ClearField(name)
            message.hidden_fields.append(name)
    return message


def _optional_id(req: Any, name: str) -> uuid.UUID | None:
    value = getattr(req, name)
    return parse_uuid(value, name) if value else None


def create_case_cmd(req: pb.CreateCaseRequest) -> CreateCase:
    """Only the fields the caller gave; subject and priority are always judged."""
    values: dict[str, Any] = {"subject": req.subject, "priority": req.priority}
    for name in ("description", "status", "channel", "account_tier"):
        if getattr(req, name):
            values[name] = getattr(req, name)
    for name in rules.ID_FIELDS:
        if getattr(req, name):
            values[name] = _optional_id(req, name)
    return CreateCase(values, time_field(req, "reported_at"), req.assignment)


def update_case_cmd(req: pb.UpdateCaseRequest) -> UpdateCase:
    unknown = set(req.update_mask) - rules.EDITABLE
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed")
    changes: dict[str, Any] = {}
    for name in req.update_mask:
        changes[name] = _optional_id(req, name) if name in rules.ID_FIELDS else getattr(req, name)
    return UpdateCase(parse_uuid(req.id), changes, req.expected_version)


def assign_case_cmd(req: pb.AssignCaseRequest) -> AssignCase:
    return AssignCase(
        case_id=parse_uuid(req.id),
        expected_version=req.expected_version,
        owner_id=_optional_id(req, "owner_id"),
        group_id=_optional_id(req, "group_id"),
        assignment=req.assignment,
    )


def case_filters(req: pb.ListCasesRequest) -> CaseFilters:
    checks = {
        "status": rules.STATUSES,
        "priority": rules.PRIORITIES,
        "sla_status": rules.SLA_STATUSES,
    }
    for name, allowed in checks.items():
        value = getattr(req, name)
        if value and value not in allowed:
            raise InvalidArgument.for_field(name, f"must be one of {', '.join(allowed)}")
    return CaseFilters(
        status=req.status,
        priority=req.priority,
        owner_id=_optional_id(req, "owner_id"),
        group_id=_optional_id(req, "group_id"),
        account_id=_optional_id(req, "account_id"),
        sla_status=req.sla_status,
    )


def add_comment_cmd(req: pb.AddCommentRequest) -> AddComment:
    return AddComment(
        case_id=parse_uuid(req.case_id, "case_id"),
        body=req.body,
        public=req.public,
        from_customer=req.from_customer,
        mentioned_user_ids=list(req.mentioned_user_ids),
    )


def comment_to_pb(row: CaseCommentRow) -> pb.CaseComment:
    return pb.CaseComment(
        id=str(row.id),
        case_id=str(row.case_id),
        body=row.body,
        public=row.public,
        from_customer=row.from_customer,
        author_id=_id(row.author_id),
        mentioned_user_ids=list(row.mentioned_user_ids or []),
        created_at=to_timestamp(row.created_at),
    )


def page_to_pb(page: Page[Any]) -> types_pb2.PageResponse:
    return types_pb2.PageResponse(next_cursor=page.next_cursor or "")
