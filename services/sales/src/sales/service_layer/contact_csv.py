"""Contacts as CSV: export with the account's name and external id, and an
all-or-nothing import whose rows name their account by ``account_external_id``
or ``account_name`` (an account the caller may see; a name two such accounts
share is refused naming the row)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from crm_common.access import AccessContext, hidden_fields, require
from crm_common.csv_io import Column, RowError, parse_import, parse_list, parse_uuid
from crm_common.db import UnitOfWork
from crm_common.errors import CrmError
from crm_common.pagination import Page
from sales.adapters.account_lookup import AccountRef, accounts_by_id
from sales.adapters.account_lookup import taken_external_ids as taken_ids
from sales.adapters.account_repository import (
    ACCOUNTS,
    CONTACTS,
    ContactFilters,
    ContactRepository,
)
from sales.adapters.orm import ContactRow
from sales.domain import accounts as rules
from sales.domain import events
from sales.service_layer import accounts, csv_import, external_ids
from sales.service_layer.csv_relations import (
    PendingRow,
    external_id_errors,
    link_accounts,
    prepare_all,
)
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor, owner_for

ACCOUNT = ("account_external_id", "account_name")
IMPORT_COLUMNS = (
    *(Column(name) for name in rules.CONTACT_LIMITS),
    *(Column(name) for name in ACCOUNT),
    Column("owner_id", parse=parse_uuid),
    Column("tags", parse=parse_list),
)
FIELD_OF = dict.fromkeys(ACCOUNT, "account_id")
LOOKS_UP = {"account_external_id": (ACCOUNTS, "external_id"), "account_name": (ACCOUNTS, "name")}
DERIVED = {
    "account_name": [(CONTACTS, "account_id"), (ACCOUNTS, "name")],
    "account_external_id": [(CONTACTS, "account_id"), (ACCOUNTS, "external_id")],
}


@dataclass(frozen=True)
class ContactExport:
    contact: accounts.VisibleContact
    account: AccountRef | None  # None: an account the caller may not see
    hidden_columns: list[str]


async def export_contacts(
    ctx: AccessContext, deps: SalesDeps, filters: ContactFilters
) -> AsyncIterator[ContactExport]:
    """Every visible contact matching ``filters`` (as ListContacts), oldest first."""
    require(ctx, CONTACTS, "export")
    hidden = hidden_fields(ctx, CONTACTS)
    columns = csv_import.hidden_columns(ctx, CONTACTS, DERIVED)
    found: dict[uuid.UUID, AccountRef] = {}

    async def fetch(uow: UnitOfWork, cursor: str | None) -> Page[ContactRow]:
        page = await ContactRepository(uow.session, ctx).page(
            filters, limit=csv_import.EXPORT_BATCH, cursor=cursor
        )
        found.update(await accounts_by_id(uow.session, ctx, [c.account_id for c in page.items]))
        return page

    async for row in csv_import.keyset_batches(deps, fetch):
        yield ContactExport(
            accounts.VisibleContact(row, hidden), found.get(row.account_id), columns
        )


def _prepare(ctx: AccessContext, number: int, given: dict[str, Any]) -> PendingRow | list[RowError]:
    """The row as a new contact's values (owner resolved), or its problems."""
    values = {k: v for k, v in given.items() if v is not None and k not in FIELD_OF}
    refs = {name: given.get(name) for name in ACCOUNT}
    try:
        cleaned = rules.clean({**rules.NEW_CONTACT_DEFAULTS, **values}, rules.CONTACT_LIMITS)
        # The account is looked up later; here only whether the row names one.
        rules.validate_contact(cleaned, {**cleaned, "account_id": any(refs.values())})
        cleaned["owner_id"] = owner_for(ctx, CONTACTS, cleaned.get("owner_id"))
    except CrmError as exc:
        return csv_import.row_errors(number, exc, {"account_id": "account_name"})
    return PendingRow(number, cleaned, refs)


async def import_contacts(data: bytes, ctx: AccessContext, deps: SalesDeps) -> list[uuid.UUID]:
    require(ctx, CONTACTS, "import")
    parsed = parse_import(data, IMPORT_COLUMNS, max_rows=csv_import.MAX_IMPORT_ROWS)
    errors = [
        *parsed.errors,
        *csv_import.blocked_columns(ctx, CONTACTS, parsed.rows, FIELD_OF),
        *csv_import.hidden_lookups(ctx, parsed.rows, LOOKS_UP),
    ]
    pending, row_problems = prepare_all(parsed, lambda n, given: _prepare(ctx, n, given))
    errors += row_problems
    async with deps.uow() as uow:
        tenant_id = uuid.UUID(ctx.tenant_id)
        ids = [r.values["external_id"] for r in pending if r.values.get("external_id")]
        taken = await taken_ids(uow.session, ContactRow, tenant_id, ids)
        errors += external_id_errors(pending, taken, "contact")
        errors += await link_accounts(uow, ctx, pending)
        csv_import.raise_if_any(errors, len(parsed.rows))
        created = [_add(uow, ctx, row) for row in pending]
        await external_ids.commit(uow)
    return [contact.id for contact in created]


def _add(uow: UnitOfWork, ctx: AccessContext, row: PendingRow) -> ContactRow:
    contact = ContactRow(id=row.id, tenant_id=uuid.UUID(ctx.tenant_id))
    for name, value in row.values.items():
        setattr(contact, name, value)
    contact.created_by = contact.updated_by = actor(ctx)
    uow.session.add(contact)
    uow.record(accounts.contact_event(events.CONTACT_CREATED, contact, ctx))
    return contact
