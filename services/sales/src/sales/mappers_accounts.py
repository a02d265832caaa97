"""Accounts and contacts: where pb2 messages and rows and commands meet."""

from __future__ import annotations

import json
from typing import Any

from crm.sales.v1 import sales_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.wire import parse_uuid, to_timestamp
from sales.adapters.account_repository import AccountFilters, ContactFilters
from sales.domain import commands
from sales.domain.accounts import ADDRESS_FIELDS, ADDRESS_KEYS
from sales.mappers import _custom_fields
from sales.service_layer.accounts import VisibleAccount, VisibleContact

ACCOUNT_TEXT = ("name", "website", "industry", "phone")
CONTACT_TEXT = ("first_name", "last_name", "email", "phone", "title")


def _address_to_pb(address: dict[str, Any] | None) -> pb.Address:
    return pb.Address(**{key: str((address or {}).get(key) or "") for key in ADDRESS_KEYS})


def _address(message: pb.Address) -> dict[str, str]:
    return {key: getattr(message, key) for key in ADDRESS_KEYS if getattr(message, key)}


def _hide(message: Any, hidden: frozenset[str]) -> None:
    for name in sorted(hidden):
        wire = "custom_fields_json" if name == "custom_fields" else name
        if wire in message.DESCRIPTOR.fields_by_name:
            message.ClearField(wire)
            message.hidden_fields.append(name)


def _audit(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "tenant_id": str(row.tenant_id),
        "owner_id": str(row.owner_id),
        "tags": list(row.tags),
        "custom_fields_json": json.dumps(row.custom_fields or {}, separators=(",", ":")),
        "version": row.version,
        "created_at": to_timestamp(row.created_at),
        "updated_at": to_timestamp(row.updated_at),
        "created_by": str(row.created_by or ""),
        "updated_by": str(row.updated_by or ""),
        "lead_id": str(row.lead_id or ""),
    }


def account_to_pb(account: VisibleAccount) -> pb.Account:
    row = account.row
    message = pb.Account(
        **_audit(row),
        **{name: getattr(row, name) for name in ACCOUNT_TEXT},
        billing_address=_address_to_pb(row.billing_address),
        shipping_address=_address_to_pb(row.shipping_address),
        parent_id=str(row.parent_id or ""),
        external_id=row.external_id or "",
    )
    _hide(message, account.hidden)
    return message


def contact_to_pb(contact: VisibleContact) -> pb.Contact:
    row = contact.row
    message = pb.Contact(
        **_audit(row),
        **{name: getattr(row, name) for name in CONTACT_TEXT},
        account_id=str(row.account_id),
        external_id=row.external_id or "",
    )
    _hide(message, contact.hidden)
    return message


def _common_values(req: Any, text: tuple[str, ...]) -> dict[str, Any]:
    """Only the fields the caller gave (non-empty), so field rules judge those alone."""
    values: dict[str, Any] = {name: getattr(req, name) for name in text if getattr(req, name)}
    if req.tags:
        values["tags"] = list(req.tags)
    if req.custom_fields_json:
        values["custom_fields"] = _custom_fields(req.custom_fields_json)
    if req.owner_id:
        values["owner_id"] = parse_uuid(req.owner_id, "owner_id")
    if req.external_id:
        values["external_id"] = req.external_id
    return values


def create_account_cmd(req: pb.CreateAccountRequest) -> commands.CreateRecord:
    values = _common_values(req, ACCOUNT_TEXT)
    for name in ADDRESS_FIELDS:
        if req.HasField(name) and _address(getattr(req, name)):
            values[name] = _address(getattr(req, name))
    if req.parent_id:
        values["parent_id"] = parse_uuid(req.parent_id, "parent_id")
    return commands.CreateRecord(values)


def create_contact_cmd(req: pb.CreateContactRequest) -> commands.CreateRecord:
    values = _common_values(req, CONTACT_TEXT)
    if req.account_id:
        values["account_id"] = parse_uuid(req.account_id, "account_id")
    return commands.CreateRecord(values)


def _update_value(req: Any, name: str) -> object:
    if name == "tags":
        return list(req.tags)
    if name == "custom_fields":
        return _custom_fields(req.custom_fields_json or "{}")
    if name in ("owner_id", "account_id"):
        return parse_uuid(getattr(req, name), name)
    if name == "parent_id":
        return parse_uuid(req.parent_id, "parent_id") if req.parent_id else None
    if name in ADDRESS_FIELDS:
        return _address(getattr(req, name))
    return getattr(req, name)


def _update_cmd(req: Any, allowed: frozenset[str]) -> commands.UpdateRecord:
    unknown = set(req.update_mask) - allowed
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    changes = {name: _update_value(req, name) for name in req.update_mask}
    return commands.UpdateRecord(parse_uuid(req.id), changes, req.expected_version)


def update_account_cmd(req: pb.UpdateAccountRequest) -> commands.UpdateRecord:
    return _update_cmd(req, commands.ACCOUNT_FIELDS)


def update_contact_cmd(req: pb.UpdateContactRequest) -> commands.UpdateRecord:
    return _update_cmd(req, commands.CONTACT_FIELDS)


def account_filters(req: pb.ListAccountsRequest | pb.ExportAccountsRequest) -> AccountFilters:
    return AccountFilters(
        q=req.q.strip(),
        owner_id=parse_uuid(req.owner_id, "owner_id") if req.owner_id else None,
        parent_id=parse_uuid(req.parent_id, "parent_id") if req.parent_id else None,
        tag=req.tag.strip(),
    )


def contact_filters(req: pb.ListContactsRequest | pb.ExportContactsRequest) -> ContactFilters:
    return ContactFilters(
        account_id=parse_uuid(req.account_id, "account_id") if req.account_id else None,
        q=req.q.strip(),
        tag=req.tag.strip(),
    )
