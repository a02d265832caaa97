"""Deals: where pb2 messages and rows and commands meet."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from crm.common.v1 import types_pb2
from crm.sales.v1 import deals_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.money import Money
from crm_common.wire import parse_uuid, to_timestamp
from sales.adapters.deal_repository import DealDetails, DealFilters
from sales.domain import deal_commands as commands
from sales.domain.deal_parts import ContactRoleSpec, SplitSpec
from sales.domain.deals import parse_date
from sales.mappers import _custom_fields
from sales.service_layer.deals import VisibleDeal

_IDS = ("account_id", "pipeline_id", "stage_id", "owner_id")


def _money(amount: Decimal | None, currency: str) -> types_pb2.Money | None:
    if amount is None:
        return None
    return types_pb2.Money(amount=Money(amount, currency).to_str(), currency=currency)


def _parts(details: DealDetails) -> dict[str, Any]:
    history = [
        pb.StageChange(
            from_stage_id=str(h.from_stage_id or ""), to_stage_id=str(h.to_stage_id),
            changed_at=to_timestamp(h.changed_at), changed_by=str(h.changed_by or ""),
        )
        for h in details.history
    ]  # fmt: skip
    roles = [
        pb.ContactRole(contact_id=str(r.contact_id), role=r.role, is_primary=r.is_primary)
        for r in details.contact_roles
    ]
    splits = [pb.Split(user_id=str(s.user_id), percent=f"{s.percent:.2f}") for s in details.splits]
    return {"stage_history": history, "contact_roles": roles, "splits": splits}


def deal_to_pb(deal: VisibleDeal) -> pb.Deal:
    """Fields hidden from the caller stay empty and are named in hidden_fields."""
    row = deal.row
    message = pb.Deal(
        id=str(row.id), tenant_id=str(row.tenant_id), name=row.name,
        account_id=str(row.account_id or ""), amount=_money(row.amount, row.currency),
        pipeline_id=str(row.pipeline_id), stage_id=str(row.stage_id),
        probability=row.probability, close_date=_date(row.close_date),
        owner_id=str(row.owner_id), status=row.status, lost_reason=row.lost_reason,
        tags=list(row.tags), custom_fields_json=json.dumps(row.custom_fields or {}),
        lead_id=str(row.lead_id or ""), closed_at=to_timestamp(row.closed_at),
        version=row.version, created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at), created_by=str(row.created_by or ""),
        updated_by=str(row.updated_by or ""), **_parts(deal.details),
    )  # fmt: skip
    for name in sorted(deal.hidden):
        wire = "custom_fields_json" if name == "custom_fields" else name
        if wire in pb.Deal.DESCRIPTOR.fields_by_name:
            message.ClearField(wire)
            message.hidden_fields.append(name)
    return message


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _amount_values(amount: str, currency: str) -> dict[str, Any]:
    """Amount and currency from the wire; an empty amount is "no amount yet"."""
    values: dict[str, Any] = {"amount": None, "currency": currency.strip().upper()}
    if amount:
        values["amount"] = Money.parse(amount, values["currency"]).amount
    return values


def create_deal_cmd(req: pb.CreateDealRequest) -> commands.CreateDeal:
    """Only the fields the caller gave, so field rules judge those alone."""
    values: dict[str, Any] = {}
    if req.name:
        values["name"] = req.name
    if req.amount or req.currency:
        values.update(_amount_values(req.amount, req.currency))
    values.update({n: parse_uuid(getattr(req, n), n) for n in _IDS if getattr(req, n)})
    if req.has_probability:
        values["probability"] = req.probability
    if req.close_date:
        values["close_date"] = parse_date(req.close_date, "close_date")
    if req.lost_reason:
        values["lost_reason"] = req.lost_reason
    if req.tags:
        values["tags"] = list(req.tags)
    if req.custom_fields_json:
        values["custom_fields"] = _custom_fields(req.custom_fields_json)
    return commands.CreateDeal(values)


def _update_values(req: pb.UpdateDealRequest, name: str) -> dict[str, Any]:
    if name == "amount":
        has = req.HasField("amount")
        return _amount_values(req.amount.amount if has else "", req.amount.currency if has else "")
    if name in ("tags", "custom_fields"):
        value: Any = (
            list(req.tags) if name == "tags" else _custom_fields(req.custom_fields_json or "{}")
        )
        return {name: value}
    if name in _IDS:
        raw = getattr(req, name)
        return {name: parse_uuid(raw, name) if raw or name != "account_id" else None}
    if name == "close_date":
        return {name: parse_date(req.close_date, name)}
    return {name: getattr(req, name)}


def update_deal_cmd(req: pb.UpdateDealRequest) -> commands.UpdateDeal:
    allowed = (commands.DEAL_FIELDS - {"currency"}) | {"amount"}
    unknown = set(req.update_mask) - allowed
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    changes: dict[str, Any] = {}
    for name in req.update_mask:
        changes.update(_update_values(req, name))
    return commands.UpdateDeal(parse_uuid(req.id), changes, req.expected_version)


def optional_uuid(value: str, field: str) -> Any:
    return parse_uuid(value, field) if value else None


def deal_filters(req: pb.ListDealsRequest | pb.ExportDealsRequest) -> DealFilters:
    return DealFilters(
        pipeline_id=optional_uuid(req.pipeline_id, "pipeline_id"),
        stage_id=optional_uuid(req.stage_id, "stage_id"),
        status=req.status,
        owner_id=optional_uuid(req.owner_id, "owner_id"),
        account_id=optional_uuid(req.account_id, "account_id"),
        q=req.q.strip(),
        close_date_from=parse_date(req.close_date_from, "close_date_from"),
        close_date_to=parse_date(req.close_date_to, "close_date_to"),
        tag=req.tag,
    )


def contact_roles_cmd(req: pb.SetContactRolesRequest) -> commands.SetContactRoles:
    roles = [
        ContactRoleSpec(
            parse_uuid(r.contact_id, f"contact_roles[{i}].contact_id"), r.role, r.is_primary
        )
        for i, r in enumerate(req.contact_roles)
    ]
    return commands.SetContactRoles(parse_uuid(req.id), roles, req.expected_version)


def _percent(value: str, field: str) -> Decimal:
    try:
        percent = Decimal(value)
    except InvalidOperation:
        raise InvalidArgument.for_field(field, "must be a decimal like 33.34") from None
    if not percent.is_finite():
        raise InvalidArgument.for_field(field, "must be a decimal like 33.34")
    return percent


def splits_cmd(req: pb.SetSplitsRequest) -> commands.SetSplits:
    splits = [
        SplitSpec(
            parse_uuid(s.user_id, f"splits[{i}].user_id"),
            _percent(s.percent, f"splits[{i}].percent"),
        )
        for i, s in enumerate(req.splits)
    ]
    return commands.SetSplits(parse_uuid(req.id), splits, req.expected_version)
