"""Accounts as CSV: export with the parent's name and external id, and an
all-or-nothing import whose rows name their parent by ``parent_external_id`` or
``parent_name``: an account the caller may see, or one on an earlier row.

Addresses are flattened into ``billing_street`` ... ``shipping_country``.
"""

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
from sales.adapters.account_lookup import AccountRef, accounts_by_id, find_accounts
from sales.adapters.account_lookup import taken_external_ids as taken_ids
from sales.adapters.account_repository import ACCOUNTS, AccountFilters, AccountRepository
from sales.adapters.orm import AccountRow
from sales.domain import accounts as rules
from sales.domain import events
from sales.service_layer import accounts, csv_import, external_ids
from sales.service_layer.csv_relations import (
    AccountIndex,
    PendingRow,
    external_id_errors,
    prepare_all,
    referenced,
)
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor, owner_for

# billing_street -> (billing_address, street), ...
ADDRESS_COLUMNS = {
    f"{field.removesuffix('_address')}_{key}": (field, key)
    for field in rules.ADDRESS_FIELDS
    for key in rules.ADDRESS_KEYS
}
PARENT = ("parent_external_id", "parent_name")
IMPORT_COLUMNS = (
    *(Column(name) for name in rules.ACCOUNT_LIMITS),
    *(Column(name) for name in ADDRESS_COLUMNS),
    *(Column(name) for name in PARENT),
    Column("owner_id", parse=parse_uuid),
    Column("tags", parse=parse_list),
)
# The field a column writes, where it is not the column's own name.
FIELD_OF = {
    **{column: field for column, (field, _) in ADDRESS_COLUMNS.items()},
    **dict.fromkeys(PARENT, "parent_id"),
}
LOOKS_UP = {"parent_external_id": (ACCOUNTS, "external_id"), "parent_name": (ACCOUNTS, "name")}
# Export columns shown only if every (module, field) they come from is visible.
DERIVED = {
    **{column: [(ACCOUNTS, field)] for column, (field, _) in ADDRESS_COLUMNS.items()},
    "parent_name": [(ACCOUNTS, "parent_id"), (ACCOUNTS, "name")],
    "parent_external_id": [(ACCOUNTS, "parent_id"), (ACCOUNTS, "external_id")],
}


@dataclass(frozen=True)
class AccountExport:
    account: accounts.VisibleAccount
    parent: AccountRef | None  # None: top-level, or a parent the caller may not see
    hidden_columns: list[str]


async def export_accounts(
    ctx: AccessContext, deps: SalesDeps, filters: AccountFilters
) -> AsyncIterator[AccountExport]:
    """Every visible account matching ``filters`` (as ListAccounts), oldest first."""
    require(ctx, ACCOUNTS, "export")
    hidden = hidden_fields(ctx, ACCOUNTS)
    columns = csv_import.hidden_columns(ctx, ACCOUNTS, DERIVED)
    parents: dict[uuid.UUID, AccountRef] = {}

    async def fetch(uow: UnitOfWork, cursor: str | None) -> Page[AccountRow]:
        page = await AccountRepository(uow.session, ctx).page(
            filters, limit=csv_import.EXPORT_BATCH, cursor=cursor
        )
        parents.update(await accounts_by_id(uow.session, ctx, [a.parent_id for a in page.items]))
        return page

    async for row in csv_import.keyset_batches(deps, fetch):
        parent = parents.get(row.parent_id) if row.parent_id else None
        yield AccountExport(accounts.VisibleAccount(row, hidden), parent, columns)


def _prepare(ctx: AccessContext, number: int, given: dict[str, Any]) -> PendingRow | list[RowError]:
    """The row as a new account's values (owner resolved), or its problems."""
    values = {k: v for k, v in given.items() if v is not None and k not in FIELD_OF}
    for column, (field, key) in ADDRESS_COLUMNS.items():
        if given.get(column) is not None:
            values.setdefault(field, {})[key] = given[column]
    try:
        cleaned = rules.clean({**rules.NEW_ACCOUNT_DEFAULTS, **values}, rules.ACCOUNT_LIMITS)
        rules.validate_account(cleaned, cleaned)
        cleaned["owner_id"] = owner_for(ctx, ACCOUNTS, cleaned.get("owner_id"))
    except CrmError as exc:
        return csv_import.row_errors(number, exc)
    return PendingRow(number, cleaned, {name: given.get(name) for name in PARENT})


async def import_accounts(data: bytes, ctx: AccessContext, deps: SalesDeps) -> list[uuid.UUID]:
    require(ctx, ACCOUNTS, "import")
    parsed = parse_import(data, IMPORT_COLUMNS, max_rows=csv_import.MAX_IMPORT_ROWS)
    errors = [
        *parsed.errors,
        *csv_import.blocked_columns(ctx, ACCOUNTS, parsed.rows, FIELD_OF),
        *csv_import.hidden_lookups(ctx, parsed.rows, LOOKS_UP),
    ]
    pending, row_problems = prepare_all(parsed, lambda n, given: _prepare(ctx, n, given))
    errors += row_problems
    async with deps.uow() as uow:
        tenant_id = uuid.UUID(ctx.tenant_id)
        ids = [r.values["external_id"] for r in pending if r.values.get("external_id")]
        taken = await taken_ids(uow.session, AccountRow, tenant_id, ids)
        errors += external_id_errors(pending, taken, "account")
        errors += await _link_parents(uow, ctx, pending)
        csv_import.raise_if_any(errors, len(parsed.rows))
        created = [_add(uow, ctx, row) for row in pending]
        await external_ids.commit(uow)
    return [account.id for account in created]


async def _link_parents(
    uow: UnitOfWork, ctx: AccessContext, rows: list[PendingRow]
) -> list[RowError]:
    """Set each row's parent_id; earlier rows count as accounts (added in file
    order, so a parent is inserted before its sub-accounts)."""
    names, ids = referenced(rows, "parent")
    index = AccountIndex.of(
        await find_accounts(uow.session, ctx, names=names, external_ids=ids), earlier_rows=True
    )
    errors: list[RowError] = []
    for row in rows:
        try:
            row.values["parent_id"] = index.resolve(row.refs, "parent")
        except CrmError as exc:
            errors += csv_import.row_errors(row.number, exc)
        index.add(AccountRef(row.id, row.values["name"], row.values.get("external_id")))
    return errors


def _add(uow: UnitOfWork, ctx: AccessContext, row: PendingRow) -> AccountRow:
    account = AccountRow(id=row.id, tenant_id=uuid.UUID(ctx.tenant_id))
    for name, value in row.values.items():
        setattr(account, name, value)
    account.created_by = account.updated_by = actor(ctx)
    uow.session.add(account)
    uow.record(accounts.account_event(events.ACCOUNT_CREATED, account, ctx))
    return account
