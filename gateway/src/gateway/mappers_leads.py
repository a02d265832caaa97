"""Leads: pb2 <-> schema conversion, the one place for this resource."""

from __future__ import annotations

import json
from typing import Any

from crm.sales.v1 import sales_pb2 as pb
from crm_common.wire import time_field
from gateway.schemas.leads import (
    LeadCreate,
    LeadCreated,
    LeadPage,
    LeadRead,
    LeadStatusChange,
    LeadStatusHistoryEntry,
    LeadUpdate,
)

TEXT_FIELDS = (
    "first_name", "last_name", "email", "phone", "company", "title", "industry", "source",
)  # fmt: skip
UPDATABLE_FIELDS = (*TEXT_FIELDS, "score", "owner_id", "tags", "custom_fields")


def create_lead_request(body: LeadCreate, reject_duplicates: bool) -> pb.CreateLeadRequest:
    return pb.CreateLeadRequest(
        **{name: getattr(body, name) for name in TEXT_FIELDS},
        status=body.status or "",
        score=body.score,
        owner_id=body.owner_id or "",
        tags=body.tags,
        custom_fields_json=json.dumps(body.custom_fields) if body.custom_fields else "",
        reject_duplicates=reject_duplicates,
    )


def update_lead_request(
    lead_id: str, body: LeadUpdate, expected_version: int
) -> pb.UpdateLeadRequest:
    present = [name for name in UPDATABLE_FIELDS if name in body.model_fields_set]
    values: dict[str, Any] = {n: getattr(body, n) for n in present if n != "custom_fields"}
    if "custom_fields" in present:
        values["custom_fields_json"] = json.dumps(body.custom_fields)
    return pb.UpdateLeadRequest(
        id=lead_id, update_mask=present, expected_version=expected_version, **values
    )


def status_request(
    lead_id: str, body: LeadStatusChange, expected_version: int
) -> pb.ChangeLeadStatusRequest:
    return pb.ChangeLeadStatusRequest(
        id=lead_id, status=body.status, reason=body.reason, expected_version=expected_version
    )


def _history(change: pb.LeadStatusChange) -> LeadStatusHistoryEntry:
    return LeadStatusHistoryEntry(
        from_status=change.from_status or None,
        to_status=change.to_status,
        reason=change.reason,
        changed_at=time_field(change, "changed_at"),
        changed_by=change.changed_by or None,
    )


def lead_read(lead: pb.Lead) -> LeadRead:
    return LeadRead(**_lead_fields(lead))


def _lead_fields(lead: pb.Lead) -> dict[str, Any]:
    return {
        **{name: getattr(lead, name) for name in TEXT_FIELDS},
        "id": lead.id,
        "tenant_id": lead.tenant_id,
        "status": lead.status,
        "score": lead.score,
        "owner_id": lead.owner_id,
        "tags": list(lead.tags),
        "custom_fields": json.loads(lead.custom_fields_json or "{}"),
        "version": lead.version,
        "created_at": time_field(lead, "created_at"),
        "updated_at": time_field(lead, "updated_at"),
        "created_by": lead.created_by or None,
        "updated_by": lead.updated_by or None,
        "status_history": [_history(c) for c in lead.status_history],
        "converted_account_id": lead.converted_account_id or None,
        "converted_contact_id": lead.converted_contact_id or None,
        "converted_deal_id": lead.converted_deal_id or None,
        "converted_at": time_field(lead, "converted_at"),
        "hidden_fields": list(lead.hidden_fields),
    }


def lead_created(response: pb.CreateLeadResponse) -> LeadCreated:
    return LeadCreated(**_lead_fields(response.lead), duplicates=list(response.duplicate_ids))


def lead_page(response: pb.ListLeadsResponse) -> LeadPage:
    return LeadPage(
        items=[lead_read(lead) for lead in response.items],
        next_cursor=response.page.next_cursor or None,
    )
