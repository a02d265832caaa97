"""Accounts (with a parent hierarchy) and contacts (each belongs to an account):
create, read, list, update, delete (into the recycle bin).

Same enforcement as leads: module permission, record visibility on owner_id,
record edit, writable and hidden fields. A contact's account must be one the
caller may see. One unit of work per handler: the change and its event commit
together or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm.sales.v1 import events_pb2
from crm_common.access import (
    AccessContext,
    check_writable_fields,
    hidden_fields,
    require,
    require_record_edit,
)
from crm_common.db import UnitOfWork
from crm_common.errors import FailedPrecondition, VersionConflict
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page
from crm_common.recycle_bin import soft_delete
from sales.adapters.account_repository import (
    ACCOUNTS,
    CONTACTS,
    AccountFilters,
    AccountRepository,
    ContactFilters,
    ContactRepository,
)
from sales.adapters.orm import AccountRow, ContactRow
from sales.domain import accounts as rules
from sales.domain import events
from sales.domain.commands import CreateRecord, DeleteRecord, UpdateRecord
from sales.service_layer import external_ids
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor, owner_for


@dataclass(frozen=True)
class VisibleAccount:
    row: AccountRow
    hidden: frozenset[str]


@dataclass(frozen=True)
class VisibleContact:
    row: ContactRow
    hidden: frozenset[str]


# ---- accounts ----


async def create_account(cmd: CreateRecord, ctx: AccessContext, deps: SalesDeps) -> VisibleAccount:
    require(ctx, ACCOUNTS, "create")
    check_writable_fields(ctx, ACCOUNTS, cmd.values)
    values = rules.clean({**rules.NEW_ACCOUNT_DEFAULTS, **cmd.values}, rules.ACCOUNT_LIMITS)
    rules.validate_account(values, values)
    owner_id = owner_for(ctx, ACCOUNTS, values.pop("owner_id", None))
    async with deps.uow() as uow:
        repo = AccountRepository(uow.session, ctx)
        account = AccountRow(id=uuid.uuid4(), tenant_id=repo.tenant_id, owner_id=owner_id)
        if values.get("parent_id") is not None:
            await repo.get_referenced(values["parent_id"], "parent_id", for_share=True)
        await external_ids.ensure_free(
            uow.session, AccountRow, repo.tenant_id, values.get("external_id")
        )
        _assign(account, values, ctx)
        account.created_by = account.updated_by
        uow.session.add(account)
        uow.record(account_event(events.ACCOUNT_CREATED, account, ctx))
        await _commit(uow)
    return VisibleAccount(account, hidden_fields(ctx, ACCOUNTS))


async def get_account(account_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps) -> VisibleAccount:
    require(ctx, ACCOUNTS, "view")
    async with deps.uow() as uow:
        account = await AccountRepository(uow.session, ctx).get(account_id)
    return VisibleAccount(account, hidden_fields(ctx, ACCOUNTS))


async def list_accounts(
    ctx: AccessContext, deps: SalesDeps, filters: AccountFilters, *, limit: int, cursor: str | None
) -> Page[VisibleAccount]:
    require(ctx, ACCOUNTS, "view")
    async with deps.uow() as uow:
        page = await AccountRepository(uow.session, ctx).page(filters, limit=limit, cursor=cursor)
    hidden = hidden_fields(ctx, ACCOUNTS)
    return Page([VisibleAccount(row, hidden) for row in page.items], page.next_cursor)


async def update_account(cmd: UpdateRecord, ctx: AccessContext, deps: SalesDeps) -> VisibleAccount:
    require(ctx, ACCOUNTS, "edit")
    check_writable_fields(ctx, ACCOUNTS, cmd.changes)
    changes = rules.clean(cmd.changes, rules.ACCOUNT_LIMITS)
    async with deps.uow() as uow:
        repo = AccountRepository(uow.session, ctx)
        if "parent_id" in changes:
            await repo.lock_tree()
        account = await _editable(repo.get, ctx, ACCOUNTS, cmd.record_id, cmd.expected_version)
        if "owner_id" in changes:
            changes["owner_id"] = owner_for(ctx, ACCOUNTS, changes["owner_id"])
        rules.validate_account(changes, {"name": account.name, **changes})
        parent_id = changes.get("parent_id")
        if parent_id is not None and parent_id != account.parent_id:
            await repo.get_referenced(parent_id, "parent_id", for_share=True)
            rules.check_parent(account.id, await repo.ancestry(parent_id))
        await external_ids.ensure_free(
            uow.session, AccountRow, repo.tenant_id, changes.get("external_id"), but=account.id
        )
        _assign(account, changes, ctx)
        uow.record(account_event(events.ACCOUNT_UPDATED, account, ctx, sorted(cmd.changes)))
        await _commit(uow)
    return VisibleAccount(account, hidden_fields(ctx, ACCOUNTS))


async def delete_account(cmd: DeleteRecord, ctx: AccessContext, deps: SalesDeps) -> None:
    require(ctx, ACCOUNTS, "delete")
    async with deps.uow() as uow:
        repo = AccountRepository(uow.session, ctx)
        account = await _editable(repo.get, ctx, ACCOUNTS, cmd.record_id, cmd.expected_version)
        if await repo.has_live_contacts(account.id):
            raise FailedPrecondition("the account still has contacts; move or delete them first")
        if await repo.has_live_children(account.id):
            raise FailedPrecondition("the account still has sub-accounts; move or delete them")
        if await repo.has_live_deals(account.id):
            raise FailedPrecondition("the account still has deals; move or delete them first")
        await soft_delete(uow.session, AccountRow, repo.tenant_id, account.id, actor(ctx))
        uow.record(account_event(events.ACCOUNT_DELETED, account, ctx))
        await _commit(uow)


def account_event(
    subject: str, account: AccountRow, ctx: AccessContext, changed: list[str] | None = None
) -> NewEvent:
    """Ids and changed field names only (see events.proto)."""
    payload = events_pb2.AccountChanged(
        account_id=str(account.id),
        owner_id=str(account.owner_id),
        parent_id=str(account.parent_id or ""),
        changed_fields=changed or [],
    )
    return _event(subject, account.tenant_id, account.id, payload, ctx)


# ---- contacts ----


async def create_contact(cmd: CreateRecord, ctx: AccessContext, deps: SalesDeps) -> VisibleContact:
    require(ctx, CONTACTS, "create")
    check_writable_fields(ctx, CONTACTS, cmd.values)
    values = rules.clean({**rules.NEW_CONTACT_DEFAULTS, **cmd.values}, rules.CONTACT_LIMITS)
    rules.validate_contact(values, values)
    owner_id = owner_for(ctx, CONTACTS, values.pop("owner_id", None))
    async with deps.uow() as uow:
        accounts = AccountRepository(uow.session, ctx)
        await accounts.get_referenced(values["account_id"], "account_id", for_share=True)
        contact = ContactRow(id=uuid.uuid4(), tenant_id=accounts.tenant_id, owner_id=owner_id)
        await external_ids.ensure_free(
            uow.session, ContactRow, accounts.tenant_id, values.get("external_id")
        )
        _assign(contact, values, ctx)
        contact.created_by = contact.updated_by
        uow.session.add(contact)
        uow.record(contact_event(events.CONTACT_CREATED, contact, ctx))
        await _commit(uow)
    return VisibleContact(contact, hidden_fields(ctx, CONTACTS))


async def get_contact(contact_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps) -> VisibleContact:
    require(ctx, CONTACTS, "view")
    async with deps.uow() as uow:
        contact = await ContactRepository(uow.session, ctx).get(contact_id)
    return VisibleContact(contact, hidden_fields(ctx, CONTACTS))


async def list_contacts(
    ctx: AccessContext, deps: SalesDeps, filters: ContactFilters, *, limit: int, cursor: str | None
) -> Page[VisibleContact]:
    require(ctx, CONTACTS, "view")
    async with deps.uow() as uow:
        page = await ContactRepository(uow.session, ctx).page(filters, limit=limit, cursor=cursor)
    hidden = hidden_fields(ctx, CONTACTS)
    return Page([VisibleContact(row, hidden) for row in page.items], page.next_cursor)


async def update_contact(cmd: UpdateRecord, ctx: AccessContext, deps: SalesDeps) -> VisibleContact:
    require(ctx, CONTACTS, "edit")
    check_writable_fields(ctx, CONTACTS, cmd.changes)
    changes = rules.clean(cmd.changes, rules.CONTACT_LIMITS)
    async with deps.uow() as uow:
        repo = ContactRepository(uow.session, ctx)
        contact = await _editable(repo.get, ctx, CONTACTS, cmd.record_id, cmd.expected_version)
        if "owner_id" in changes:
            changes["owner_id"] = owner_for(ctx, CONTACTS, changes["owner_id"])
        merged = {"last_name": contact.last_name, "account_id": contact.account_id, **changes}
        rules.validate_contact(changes, merged)
        if changes.get("account_id", contact.account_id) != contact.account_id:
            accounts = AccountRepository(uow.session, ctx)
            await accounts.get_referenced(changes["account_id"], "account_id", for_share=True)
        await external_ids.ensure_free(
            uow.session, ContactRow, repo.tenant_id, changes.get("external_id"), but=contact.id
        )
        _assign(contact, changes, ctx)
        uow.record(contact_event(events.CONTACT_UPDATED, contact, ctx, sorted(cmd.changes)))
        await _commit(uow)
    return VisibleContact(contact, hidden_fields(ctx, CONTACTS))


async def delete_contact(cmd: DeleteRecord, ctx: AccessContext, deps: SalesDeps) -> None:
    require(ctx, CONTACTS, "delete")
    async with deps.uow() as uow:
        repo = ContactRepository(uow.session, ctx)
        contact = await _editable(repo.get, ctx, CONTACTS, cmd.record_id, cmd.expected_version)
        await soft_delete(uow.session, ContactRow, repo.tenant_id, contact.id, actor(ctx))
        uow.record(contact_event(events.CONTACT_DELETED, contact, ctx))
        await _commit(uow)


def contact_event(
    subject: str, contact: ContactRow, ctx: AccessContext, changed: list[str] | None = None
) -> NewEvent:
    """Ids and changed field names only: no names, e-mail or phone."""
    payload = events_pb2.ContactChanged(
        contact_id=str(contact.id),
        account_id=str(contact.account_id),
        owner_id=str(contact.owner_id),
        changed_fields=changed or [],
    )
    return _event(subject, contact.tenant_id, contact.id, payload, ctx)


# ---- shared ----


def _event(
    subject: str, tenant_id: uuid.UUID, record_id: uuid.UUID, payload: Any, ctx: AccessContext
) -> NewEvent:
    actor = ctx.user_id or ctx.api_key_id
    return NewEvent(subject, str(tenant_id), str(record_id), payload, actor_id=actor)


async def _editable(
    get: Any, ctx: AccessContext, module: str, record_id: uuid.UUID, expected_version: int
) -> Any:
    record = await get(record_id, for_update=True)
    require_record_edit(ctx, module, str(record.owner_id))
    if expected_version and expected_version != record.version:
        raise VersionConflict(f"record is at version {record.version}, not {expected_version}")
    return record


def _assign(row: AccountRow | ContactRow, values: dict[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = actor(ctx)


async def _commit(uow: UnitOfWork) -> None:
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("the record changed concurrently; read it again") from exc
    except IntegrityError as exc:
        conflict = external_ids.taken_meanwhile(exc)
        if conflict is None:
            raise
        raise conflict from exc
