"""Cases: pb2 <-> schema conversion, the one place for them."""

from __future__ import annotations

from typing import Any

from crm.support.v1 import cases_pb2 as pb
from crm_common.wire import time_field, to_timestamp
from gateway.mappers import page_request
from gateway.schemas.cases import (
    CaseAssign,
    CaseCreate,
    CasePage,
    CaseRead,
    CaseUpdate,
    CommentCreate,
    CommentPage,
    CommentRead,
)

IDS = ("account_id", "contact_id", "asset_id", "owner_id", "group_id", "service_contract_id")
TEXT = ("subject", "description", "priority", "status", "channel", "account_tier")
TIMES = (
    "reported_at", "sla_paused_at", "first_response_due_at", "next_response_due_at",
    "resolution_due_at", "first_responded_at", "resolved_at", "closed_at", "created_at",
    "updated_at",
)  # fmt: skip
FLAGS = ("first_response_breached", "next_response_breached", "resolution_breached")


def create_case_request(body: CaseCreate) -> pb.CreateCaseRequest:
    values: dict[str, Any] = {name: getattr(body, name) for name in TEXT}
    values.update({name: str(getattr(body, name) or "") for name in IDS})
    return pb.CreateCaseRequest(
        reported_at=to_timestamp(body.reported_at), assignment=body.assignment or "", **values
    )


def update_case_request(
    case_id: str, body: CaseUpdate, expected_version: int
) -> pb.UpdateCaseRequest:
    present = [n for n in (*TEXT, *IDS) if n in body.model_fields_set]
    values: dict[str, Any] = {}
    for name in present:
        value = getattr(body, name)
        values[name] = str(value or "") if name in IDS else value
    return pb.UpdateCaseRequest(
        id=case_id, update_mask=present, expected_version=expected_version, **values
    )


def assign_case_request(
    case_id: str, body: CaseAssign, expected_version: int
) -> pb.AssignCaseRequest:
    return pb.AssignCaseRequest(
        id=case_id,
        expected_version=expected_version,
        owner_id=str(body.owner_id or ""),
        group_id=str(body.group_id or ""),
        assignment=body.assignment or "",
    )


def list_cases_request(
    limit: int, cursor: str | None, filters: dict[str, Any]
) -> pb.ListCasesRequest:
    text = {k: str(v) for k, v in filters.items() if v is not None}
    return pb.ListCasesRequest(page=page_request(limit, cursor), **text)


def case_read(case: pb.Case) -> CaseRead:
    values: dict[str, Any] = {name: getattr(case, name) for name in (*TEXT, *FLAGS)}
    values.update({name: getattr(case, name) or None for name in (*IDS, "sla_policy_id")})
    values.update({name: time_field(case, name) for name in TIMES})
    for name in ("first_response_minutes", "resolution_minutes"):
        values[name] = getattr(case, name) if case.HasField(name) else None
    return CaseRead(
        id=case.id,
        tenant_id=case.tenant_id,
        number=case.number,
        sla_status=case.sla_status,
        escalation_level=case.escalation_level,
        version=case.version,
        created_by=case.created_by or None,
        updated_by=case.updated_by or None,
        hidden_fields=list(case.hidden_fields),
        **values,
    )


def case_page(response: pb.ListCasesResponse) -> CasePage:
    return CasePage(
        items=[case_read(c) for c in response.items],
        next_cursor=response.page.next_cursor or None,
    )


def add_comment_request(case_id: str, body: CommentCreate) -> pb.AddCommentRequest:
    return pb.AddCommentRequest(
        case_id=case_id,
        body=body.body,
        public=body.public,
        from_customer=body.from_customer,
        mentioned_user_ids=[str(u) for u in body.mentioned_user_ids],
    )


def comment_read(comment: pb.CaseComment) -> CommentRead:
    return CommentRead(
        id=comment.id,
        case_id=comment.case_id,
        body=comment.body,
        public=comment.public,
        from_customer=comment.from_customer,
        author_id=comment.author_id or None,
        mentioned_user_ids=list(comment.mentioned_user_ids),
        created_at=time_field(comment, "created_at"),
    )


def comment_page(response: pb.ListCommentsResponse) -> CommentPage:
    return CommentPage(
        items=[comment_read(c) for c in response.items],
        next_cursor=response.page.next_cursor or None,
    )
