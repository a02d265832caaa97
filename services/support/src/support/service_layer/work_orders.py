"""Work orders: create (numbered WO-<year>-<6 digits>), read, list, update
(status by the transition table), delete.

Module ``work_orders``, owner-based visibility. A work order may name a case and
a service contract of the tenant; its account defaults to the contract's.
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
from crm_common.db import utcnow
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from crm_common.recycle_bin import soft_delete
from support.adapters.field_repository import FieldRepository, WorkOrderFilters
from support.adapters.orm_field import WorkOrderRow
from support.domain import contracts as contract_rules
from support.domain import work_orders as rules
from support.service_layer.deps import SupportDeps
from support.service_layer.field_shared import actor, check_version, commit, given, owner_for

MODULE = rules.MODULE


@dataclass(frozen=True)
class VisibleWorkOrder:
    row: WorkOrderRow
    hidden: frozenset[str]


async def create_work_order(
    values: dict[str, Any], ctx: AccessContext, deps: SupportDeps
) -> VisibleWorkOrder:
    require(ctx, MODULE, "create")
    check_writable_fields(ctx, MODULE, values)
    values = rules.clean({**rules.NEW_DEFAULTS, **given(values)})
    rules.validate(values, creating=True)
    owner_id = owner_for(ctx, MODULE, values.pop("owner_id", None))
    async with deps.uow() as uow:
        repo = FieldRepository(uow.session, ctx)
        await _check_links(repo, values)
        row = WorkOrderRow(
            id=uuid.uuid4(), tenant_id=repo.tenant_id, owner_id=owner_id, created_by=actor(ctx)
        )
        _assign(row, values, ctx)
        row.number = await repo.next_number(rules.NUMBER_KIND, utcnow().year)
        uow.session.add(row)
        await commit(uow)
    return VisibleWorkOrder(row, hidden_fields(ctx, MODULE))


async def get_work_order(
    order_id: uuid.UUID, ctx: AccessContext, deps: SupportDeps
) -> VisibleWorkOrder:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        row = await FieldRepository(uow.session, ctx).work_order(order_id)
    return VisibleWorkOrder(row, hidden_fields(ctx, MODULE))


async def list_work_orders(
    ctx: AccessContext, deps: SupportDeps, filters: WorkOrderFilters, *, limit: int,
    cursor: str | None,
) -> Page[VisibleWorkOrder]:  # fmt: skip
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        repo = FieldRepository(uow.session, ctx)
        page = await repo.work_orders(filters, limit=limit, cursor=cursor)
    hidden = hidden_fields(ctx, MODULE)
    return Page([VisibleWorkOrder(row, hidden) for row in page.items], page.next_cursor)


async def update_work_order(
    order_id: uuid.UUID, changes: dict[str, Any], expected_version: int,
    ctx: AccessContext, deps: SupportDeps,
) -> VisibleWorkOrder:  # fmt: skip
    require(ctx, MODULE, "edit")
    check_writable_fields(ctx, MODULE, changes)
    changes = rules.clean(changes)
    async with deps.uow() as uow:
        repo = FieldRepository(uow.session, ctx)
        row = await repo.work_order(order_id, for_update=True)
        require_record_edit(ctx, MODULE, str(row.owner_id))
        check_version(expected_version, row.version)
        rules.check_open(row.status)
        merged = {**_values(row), **changes}
        rules.validate(merged, creating=False)
        rules.check_transition(row.status, merged["status"])
        if "owner_id" in changes:
            changes["owner_id"] = owner_for(ctx, MODULE, changes["owner_id"])
        links = {"case_id", "service_contract_id", "account_id"} & set(changes)
        if links:
            await _check_links(repo, merged, changes)
        if merged["status"] == rules.COMPLETED:
            row.completed_at = utcnow()
        _assign(row, changes, ctx)
        await commit(uow)
    return VisibleWorkOrder(row, hidden_fields(ctx, MODULE))


async def delete_work_order(
    order_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: SupportDeps
) -> None:
    require(ctx, MODULE, "delete")
    async with deps.uow() as uow:
        repo = FieldRepository(uow.session, ctx)
        row = await repo.work_order(order_id, for_update=True)
        require_record_edit(ctx, MODULE, str(row.owner_id))
        check_version(expected_version, row.version)
        await soft_delete(uow.session, WorkOrderRow, row.tenant_id, row.id, actor(ctx))
        await commit(uow)


async def _check_links(
    repo: FieldRepository, values: dict[str, Any], changes: dict[str, Any] | None = None
) -> None:
    """The case and contract must be live records of the tenant; a contract
    must not be cancelled and belongs to the work order's account (which it
    gives when none is named). ``changes`` (updates) receives that account."""
    out = values if changes is None else changes
    if values.get("case_id"):
        await repo.case_exists(values["case_id"])
    contract_id = values.get("service_contract_id")
    if not contract_id:
        return
    contract = await repo.contract_for_link(contract_id)
    if contract.status == contract_rules.CANCELLED:
        raise InvalidArgument.for_field("service_contract_id", "the contract is cancelled")
    if values.get("account_id") is None:
        out["account_id"] = values["account_id"] = contract.account_id
    elif values["account_id"] != contract.account_id:
        raise InvalidArgument.for_field("service_contract_id", "belongs to another account")


def _values(row: WorkOrderRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in rules.FIELDS}


def _assign(row: WorkOrderRow, values: dict[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = actor(ctx)
