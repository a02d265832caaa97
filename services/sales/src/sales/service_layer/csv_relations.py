"""Relations in CSV imports: a row names an account by external id or by name.

``AccountIndex`` holds the candidates (accounts the caller may see, and for an
accounts file the rows before the current one) and answers which account a row
means, or why it cannot tell. The external id wins when both are given: it is
unique, a name need not be.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from crm_common.access import AccessContext
from crm_common.csv_io import ImportResult, RowError
from crm_common.db import UnitOfWork
from crm_common.errors import CrmError, InvalidArgument
from sales.adapters.account_lookup import AccountRef, find_accounts, name_key
from sales.service_layer.csv_import import row_errors

Prepare = Callable[[int, dict[str, Any]], "PendingRow | list[RowError]"]


@dataclass
class PendingRow:
    """One data row on its way in: its number, the record's cleaned values, the
    relation cells as given, and the id it will get (earlier rows may point at it)."""

    number: int
    values: dict[str, Any]
    refs: dict[str, Any] = field(default_factory=dict)
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    stage: Any = None  # a deal's resolved stage (a StageRow)


@dataclass
class AccountIndex:
    by_external_id: dict[str, AccountRef] = field(default_factory=dict)
    by_name: dict[str, list[AccountRef]] = field(default_factory=dict)
    earlier_rows: bool = False  # an accounts file: rows may name earlier rows

    @classmethod
    def of(cls, refs: Iterable[AccountRef], *, earlier_rows: bool = False) -> AccountIndex:
        index = cls(earlier_rows=earlier_rows)
        for ref in refs:
            index.add(ref)
        return index

    def add(self, ref: AccountRef) -> None:
        if ref.external_id:
            self.by_external_id.setdefault(ref.external_id, ref)
        if ref.name:
            self.by_name.setdefault(name_key(ref.name), []).append(ref)

    def resolve(self, refs: dict[str, Any], prefix: str) -> uuid.UUID | None:
        """The account ``<prefix>_external_id`` or ``<prefix>_name`` means (None when
        both are empty); InvalidArgument naming the column otherwise."""
        external_id, name = refs.get(f"{prefix}_external_id"), refs.get(f"{prefix}_name")
        where = "you may see" + (", nor an earlier row," if self.earlier_rows else "")
        if external_id:
            ref = self.by_external_id.get(external_id)
            if ref is None:
                raise InvalidArgument.for_field(
                    f"{prefix}_external_id", f"no account {where} has this external id"
                )
            return ref.id
        if not name:
            return None
        found = self.by_name.get(name_key(name), [])
        if not found:
            raise InvalidArgument.for_field(f"{prefix}_name", f"no account {where} has this name")
        if len(found) > 1:
            raise InvalidArgument.for_field(
                f"{prefix}_name",
                f"{len(found)} accounts have this name; give {prefix}_external_id instead",
            )
        return found[0].id


def referenced(rows: Iterable[PendingRow], prefix: str) -> tuple[set[str], set[str]]:
    """The names and external ids the rows look up, to fetch them in one query."""
    names: set[str] = set()
    external_ids: set[str] = set()
    for row in rows:
        if row.refs.get(f"{prefix}_external_id"):
            external_ids.add(row.refs[f"{prefix}_external_id"])
        elif row.refs.get(f"{prefix}_name"):
            names.add(row.refs[f"{prefix}_name"])
    return names, external_ids


def external_id_errors(rows: Iterable[PendingRow], taken: set[str], what: str) -> list[RowError]:
    """A new record's external id must be free in the tenant and once in the file."""
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    for row in rows:
        external_id = row.values.get("external_id")
        if not external_id:
            continue
        if external_id in taken:
            errors.append(RowError(row.number, "external_id", f"another {what} has it"))
        elif external_id in first_row:
            message = f"row {first_row[external_id]} has it too"
            errors.append(RowError(row.number, "external_id", message))
        else:
            first_row[external_id] = row.number
    return errors


def prepare_all(parsed: ImportResult, prepare: Prepare) -> tuple[list[PendingRow], list[RowError]]:
    """Every parsed row through ``prepare``: the rows to add, and the problems."""
    pending: list[PendingRow] = []
    errors: list[RowError] = []
    for number, given in zip(parsed.row_numbers, parsed.rows, strict=True):
        prepared = prepare(number, given)
        if isinstance(prepared, PendingRow):
            pending.append(prepared)
        else:
            errors += prepared
    return pending, errors


async def link_accounts(
    uow: UnitOfWork, ctx: AccessContext, rows: list[PendingRow]
) -> list[RowError]:
    """Set each row's account_id from account_external_id / account_name."""
    names, ids = referenced(rows, "account")
    index = AccountIndex.of(await find_accounts(uow.session, ctx, names=names, external_ids=ids))
    errors: list[RowError] = []
    for row in rows:
        try:
            row.values["account_id"] = index.resolve(row.refs, "account")
        except CrmError as exc:
            errors += row_errors(row.number, exc)
    return errors
