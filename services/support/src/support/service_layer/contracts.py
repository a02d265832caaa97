"""Service contracts: create, read (with consumption), list, update, delete.

Module ``service_contracts``, owner-based visibility. The status people set is
stored (draft, active, cancelled); expired is read from the end date. One unit
of work per handler.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from crm_common.access import (
    AccessContext,
    check_writable_fields,
    hidden_fields,
    require,
    require_record_edit,
)
from crm_common.pagination import Page
from crm_common.recycle_bin import soft_delete
from support.adapters.field_repository import ContractFilters, FieldRepository, Usage
from support.adapters.orm_field import ServiceContractRow
from support.domain import contracts as rules
from support.service_layer.deps import SupportDeps
from support.service_layer.field_shared import actor, check_version, commit, given, owner_for, today

MODULE = rules.MODULE
NEW_DEFAULTS: dict[str, Any] = {"status": rules.DRAFT, "tier": "", "description": ""}


@dataclass(frozen=True)
class VisibleContract:
    row: ServiceContractRow
    status: str  # as of today: expired when active past its end date
    consumption: rules.Consumption
    hidden: frozenset[str]


async def create_contract(
    values: dict[str, Any], ctx: AccessContext, deps: SupportDeps
) -> VisibleContract:
    require(ctx, MODULE, "create")
    check_writable_fields(ctx, MODULE, values)
    values = rules.clean({**NEW_DEFAULTS, **given(values)})
    rules.validate(values)
    rules.check_transition(rules.DRAFT, values["status"], values["end_date"], today())
    owner_id = owner_for(ctx, MODULE, values.pop("owner_id", None))
    async with deps.uow() as uow:
        row = ServiceContractRow(
            id=uuid.uuid4(), tenant_id=uuid.UUID(ctx.tenant_id), owner_id=owner_id,
            created_by=actor(ctx),
        )  # fmt: skip
        _assign(row, values, ctx)
        uow.session.add(row)
        await commit(uow)
    return _visible(row, Usage(), ctx)


async def get_contract(
    contract_id: uuid.UUID, ctx: AccessContext, deps: SupportDeps
) -> VisibleContract:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        repo = FieldRepository(uow.session, ctx)
        row = await repo.contract(contract_id)
        usage = await repo.usage([row.id])
    return _visible(row, usage[row.id], ctx)


async def list_contracts(
    ctx: AccessContext, deps: SupportDeps, filters: ContractFilters, *, limit: int,
    cursor: str | None,
) -> Page[VisibleContract]:  # fmt: skip
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        repo = FieldRepository(uow.session, ctx)
        page = await repo.contracts(filters, today(), limit=limit, cursor=cursor)
        usage = await repo.usage(row.id for row in page.items)
    return Page([_visible(row, usage[row.id], ctx) for row in page.items], page.next_cursor)


async def update_contract(
    contract_id: uuid.UUID, changes: dict[str, Any], expected_version: int,
    ctx: AccessContext, deps: SupportDeps,
) -> VisibleContract:  # fmt: skip
    require(ctx, MODULE, "edit")
    check_writable_fields(ctx, MODULE, changes)
    changes = rules.clean(changes)
    async with deps.uow() as uow:
        repo = FieldRepository(uow.session, ctx)
        row = await repo.contract(contract_id, for_update=True)
        require_record_edit(ctx, MODULE, str(row.owner_id))
        check_version(expected_version, row.version)
        merged = {**_values(row), **changes}
        rules.validate(merged)
        if "status" in changes:
            rules.check_transition(row.status, changes["status"], merged["end_date"], today())
        if "owner_id" in changes:
            changes["owner_id"] = owner_for(ctx, MODULE, changes["owner_id"])
        if changes.get("end_date", row.end_date) != row.end_date:
            row.expiry_warned_at = None  # a new end date is announced again
        _assign(row, changes, ctx)
        await commit(uow)
        usage = await repo.usage([row.id])
    return _visible(row, usage[row.id], ctx)


async def delete_contract(
    contract_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: SupportDeps
) -> None:
    require(ctx, MODULE, "delete")
    async with deps.uow() as uow:
        repo = FieldRepository(uow.session, ctx)
        row = await repo.contract(contract_id, for_update=True)
        require_record_edit(ctx, MODULE, str(row.owner_id))
        check_version(expected_version, row.version)
        await soft_delete(uow.session, ServiceContractRow, row.tenant_id, row.id, actor(ctx))
        await commit(uow)


def _visible(row: ServiceContractRow, usage: Usage, ctx: AccessContext) -> VisibleContract:
    used = rules.consumption(row.entitlement_type, row.entitlement_total, usage.cases,
                             usage.minutes)  # fmt: skip
    status = rules.effective_status(row.status, row.end_date, today())
    return VisibleContract(row, status, used, hidden_fields(ctx, MODULE))


def _values(row: ServiceContractRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in rules.FIELDS}


def _assign(row: ServiceContractRow, values: dict[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = actor(ctx)
