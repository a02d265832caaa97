"""Accounts and contacts: pb2 <-> schema conversion, the one place for them."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from crm.sales.v1 import sales_pb2 as pb
from crm_common.wire import time_field
from gateway.mappers import page_request
from gateway.schemas.accounts import (
    AccountCreate,
    AccountPage,
    AccountRead,
    AccountUpdate,
    AddressRead,
    ContactCreate,
    ContactPage,
    ContactRead,
    ContactUpdate,
)

ACCOUNT_TEXT = ("name", "website", "industry", "phone")
CONTACT_TEXT = ("first_name", "last_name", "email", "phone", "title")
ADDRESSES = ("billing_address", "shipping_address")
OWNED = ("owner_id", "tags", "custom_fields", "external_id")
ACCOUNT_UPDATABLE = (*ACCOUNT_TEXT, *ADDRESSES, "parent_id", *OWNED)
CONTACT_UPDATABLE = (*CONTACT_TEXT, "account_id", *OWNED)


def _address(value: BaseModel) -> pb.Address:
    return pb.Address(**value.model_dump())


def create_account_request(body: AccountCreate) -> pb.CreateAccountRequest:
    return pb.CreateAccountRequest(
        **{name: getattr(body, name) for name in ACCOUNT_TEXT},
        billing_address=_address(body.billing_address),
        shipping_address=_address(body.shipping_address),
        parent_id=body.parent_id or "",
        owner_id=body.owner_id or "",
        external_id=body.external_id or "",
        tags=body.tags,
        custom_fields_json=json.dumps(body.custom_fields) if body.custom_fields else "",
    )


def create_contact_request(body: ContactCreate) -> pb.CreateContactRequest:
    return pb.CreateContactRequest(
        **{name: getattr(body, name) for name in CONTACT_TEXT},
        account_id=body.account_id,
        owner_id=body.owner_id or "",
        external_id=body.external_id or "",
        tags=body.tags,
        custom_fields_json=json.dumps(body.custom_fields) if body.custom_fields else "",
    )


def _changes(body: BaseModel, updatable: tuple[str, ...]) -> tuple[list[str], dict[str, Any]]:
    present = [name for name in updatable if name in body.model_fields_set]
    values: dict[str, Any] = {}
    for name in present:
        value = getattr(body, name)
        if name == "custom_fields":
            values["custom_fields_json"] = json.dumps(value)
        elif name in ADDRESSES:
            values[name] = _address(value)
        else:
            values[name] = value
    return present, values


def update_account_request(
    account_id: str, body: AccountUpdate, expected_version: int
) -> pb.UpdateAccountRequest:
    present, values = _changes(body, ACCOUNT_UPDATABLE)
    return pb.UpdateAccountRequest(
        id=account_id, update_mask=present, expected_version=expected_version, **values
    )


def update_contact_request(
    contact_id: str, body: ContactUpdate, expected_version: int
) -> pb.UpdateContactRequest:
    present, values = _changes(body, CONTACT_UPDATABLE)
    return pb.UpdateContactRequest(
        id=contact_id, update_mask=present, expected_version=expected_version, **values
    )


def list_accounts_request(
    limit: int,
    cursor: str | None,
    *,
    q: str | None,
    owner_id: str | None,
    parent_id: str | None,
    tag: str | None = None,
) -> pb.ListAccountsRequest:
    return pb.ListAccountsRequest(
        page=page_request(limit, cursor), q=q or "", owner_id=owner_id or "",
        parent_id=parent_id or "", tag=tag or "",
    )  # fmt: skip


def list_contacts_request(
    limit: int,
    cursor: str | None,
    *,
    account_id: str | None,
    q: str | None,
    tag: str | None = None,
) -> pb.ListContactsRequest:
    return pb.ListContactsRequest(
        page=page_request(limit, cursor), account_id=account_id or "", q=q or "", tag=tag or ""
    )  # fmt: skip


def _audit(record: Any) -> dict[str, Any]:
    return {
        "id": record.id,
        "tenant_id": record.tenant_id,
        "owner_id": record.owner_id,
        "tags": list(record.tags),
        "custom_fields": json.loads(record.custom_fields_json or "{}"),
        "version": record.version,
        "created_at": time_field(record, "created_at"),
        "updated_at": time_field(record, "updated_at"),
        "created_by": record.created_by or None,
        "updated_by": record.updated_by or None,
        "lead_id": record.lead_id or None,
        "external_id": record.external_id or None,
        "hidden_fields": list(record.hidden_fields),
    }


def _address_read(address: pb.Address) -> AddressRead:
    return AddressRead(
        street=address.street, city=address.city, postal_code=address.postal_code,
        region=address.region, country=address.country,
    )  # fmt: skip


def account_read(account: pb.Account) -> AccountRead:
    return AccountRead(
        **_audit(account),
        **{name: getattr(account, name) for name in ACCOUNT_TEXT},
        billing_address=_address_read(account.billing_address),
        shipping_address=_address_read(account.shipping_address),
        parent_id=account.parent_id or None,
    )


def contact_read(contact: pb.Contact) -> ContactRead:
    return ContactRead(
        **_audit(contact),
        **{name: getattr(contact, name) for name in CONTACT_TEXT},
        account_id=contact.account_id,
    )


def account_page(response: pb.ListAccountsResponse) -> AccountPage:
    return AccountPage(
        items=[account_read(a) for a in response.items],
        next_cursor=response.page.next_cursor or None,
    )


def contact_page(response: pb.ListContactsResponse) -> ContactPage:
    return ContactPage(
        items=[contact_read(c) for c in response.items],
        next_cursor=response.page.next_cursor or None,
    )
