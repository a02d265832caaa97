"""The one place where pb2 messages and sales' rows and commands meet."""

from __future__ import annotations

import json
from typing import Any

from crm.common.v1 import types_pb2
from crm.sales.v1 import sales_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from crm_common.wire import parse_uuid, time_field, to_timestamp
from sales.adapters.orm import LeadStatusHistoryRow
from sales.adapters.repository import SORTS, LeadFilters
from sales.domain import commands
from sales.service_layer.leads import VisibleLead

TEXT_FIELDS = (
    "first_name", "last_name", "email", "phone", "company", "title", "industry", "source",
)  # fmt: skip


def lead_to_pb(lead: VisibleLead) -> pb.Lead:
    """``hidden`` fields (the caller's field rules) stay empty and are named."""
    row = lead.row
    message = pb.Lead(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        status=row.status,
        score=row.score,
        owner_id=str(row.owner_id),
        tags=list(row.tags),
        custom_fields_json=json.dumps(row.custom_fields or {}, separators=(",", ":")),
        version=row.version,
        created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
        created_by=str(row.created_by or ""),
        updated_by=str(row.updated_by or ""),
        status_history=[_change_to_pb(h) for h in lead.history],
        converted_account_id=str(row.converted_account_id or ""),
        converted_contact_id=str(row.converted_contact_id or ""),
        converted_deal_id=str(row.converted_deal_id or ""),
        **{name: getattr(row, name) for name in TEXT_FIELDS},
    )
    if row.converted_at:
        message.converted_at.CopyFrom(to_timestamp(row.converted_at))
    for name in sorted(lead.hidden):
        if name in pb.Lead.DESCRIPTOR.fields_by_name or name == "custom_fields":
            message.ClearField("custom_fields_json" if name == "custom_fields" else name)
            message.hidden_fields.append(name)
    return message


def _change_to_pb(row: LeadStatusHistoryRow) -> pb.LeadStatusChange:
    return pb.LeadStatusChange(
        from_status=row.from_status,
        to_status=row.to_status,
        reason=row.reason,
        changed_at=to_timestamp(row.changed_at),
        changed_by=str(row.changed_by or ""),
    )


def page_to_pb(page: Page[Any]) -> types_pb2.PageResponse:
    return types_pb2.PageResponse(next_cursor=page.next_cursor or "")


def _custom_fields(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise InvalidArgument.for_field("custom_fields", "must be a JSON object") from exc
    if not isinstance(value, dict):
        raise InvalidArgument.for_field("custom_fields", "must be a JSON object")
    return value


def create_lead_cmd(req: pb.CreateLeadRequest) -> commands.CreateLead:
    """Only the fields the caller gave (non-empty), so field rules judge those alone."""
    values: dict[str, Any] = {
        name: getattr(req, name) for name in TEXT_FIELDS if getattr(req, name)
    }
    if req.score:
        values["score"] = req.score
    if req.tags:
        values["tags"] = list(req.tags)
    if req.custom_fields_json:
        values["custom_fields"] = _custom_fields(req.custom_fields_json)
    if req.owner_id:
        values["owner_id"] = parse_uuid(req.owner_id, "owner_id")
    return commands.CreateLead(values, req.status, req.reject_duplicates)


def _update_value(req: pb.UpdateLeadRequest, name: str) -> object:
    if name == "tags":
        return list(req.tags)
    if name == "custom_fields":
        return _custom_fields(req.custom_fields_json or "{}")
    if name == "owner_id":
        return parse_uuid(req.owner_id, "owner_id")
    return getattr(req, name)


def update_lead_cmd(req: pb.UpdateLeadRequest) -> commands.UpdateLead:
    unknown = set(req.update_mask) - commands.LEAD_FIELDS
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    changes = {name: _update_value(req, name) for name in req.update_mask}
    return commands.UpdateLead(parse_uuid(req.id), changes, req.expected_version)


def change_status_cmd(req: pb.ChangeLeadStatusRequest) -> commands.ChangeLeadStatus:
    return commands.ChangeLeadStatus(
        parse_uuid(req.id), req.status, req.reason, req.expected_version
    )


def lead_filters(req: pb.ListLeadsRequest | pb.ExportLeadsRequest) -> LeadFilters:
    owner = parse_uuid(req.owner_id, "owner_id") if req.owner_id else None
    sort = req.sort or "created_at"
    if sort.removeprefix("-") not in SORTS:
        raise InvalidArgument.for_field("sort", f"one of {', '.join(SORTS)} (- for descending)")
    return LeadFilters(
        status=req.status,
        owner_id=owner,
        q=req.q.strip(),
        tag=req.tag,
        created_after=time_field(req, "created_after"),
        created_before=time_field(req, "created_before"),
        source=req.source.strip(),
        sort=sort,
    )
