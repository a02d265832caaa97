"""Queries of field-service records, always within the caller's tenant and
visibility; cases are read through ``sqlalchemy.table()`` (the cases area owns
that table, its ORM class is not needed here)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, visible_filter
from crm_common.errors import InvalidArgument, NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from support.adapters.orm_cases import CASE_RECORD_OWNER, CaseRow
from support.adapters.orm_field import (
    FieldCounterRow,
    ServiceContractRow,
    TimelogRow,
    WorkOrderRow,
)
from support.domain import contracts as contract_rules
from support.domain import work_orders as order_rules

CASES = CaseRow.__table__
CASES_MODULE = "cases"
CASE_OWNER = CASE_RECORD_OWNER


@dataclass(frozen=True)
class ContractFilters:
    account_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    status: str = ""


@dataclass(frozen=True)
class WorkOrderFilters:
    status: str = ""
    case_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    service_contract_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Usage:
    """Cases naming a contract and timelogged minutes on them and its work orders."""

    cases: int = 0
    minutes: int = 0


class FieldRepository:
    def __init__(self, session: AsyncSession, ctx: AccessContext) -> None:
        self.session = session
        self.ctx = ctx
        self.tenant_id = uuid.UUID(ctx.tenant_id)

    # ---- contracts ----

    def _contracts(self) -> list[sa.ColumnElement[bool]]:
        return [
            ServiceContractRow.tenant_id == self.tenant_id,
            active(ServiceContractRow),
            visible_filter(self.ctx, contract_rules.MODULE, ServiceContractRow.owner_id),
        ]

    async def contract(self, contract_id: uuid.UUID, *, for_update: bool = False) -> Any:
        stmt = sa.select(ServiceContractRow).where(
            ServiceContractRow.id == contract_id, *self._contracts()
        )
        return await self._one(stmt, for_update, "service contract")

    async def contracts(
        self, filters: ContractFilters, today: date, *, limit: int, cursor: str | None
    ) -> Page[ServiceContractRow]:
        stmt = sa.select(ServiceContractRow).where(*self._contracts())
        if filters.account_id:
            stmt = stmt.where(ServiceContractRow.account_id == filters.account_id)
        if filters.owner_id:
            stmt = stmt.where(ServiceContractRow.owner_id == filters.owner_id)
        if filters.status:
            stmt = stmt.where(_status_is(filters.status, today))
        order = (ServiceContractRow.created_at, ServiceContractRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def contract_for_link(self, contract_id: uuid.UUID) -> ServiceContractRow:
        """A live contract of the tenant that a work order may name (422 otherwise)."""
        row = await self.session.scalar(
            sa.select(ServiceContractRow).where(
                ServiceContractRow.id == contract_id,
                ServiceContractRow.tenant_id == self.tenant_id,
                active(ServiceContractRow),
            )
        )
        if row is None:
            raise InvalidArgument.for_field("service_contract_id", "no such service contract")
        return row

    async def usage(self, contract_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Usage]:
        """Consumption of several contracts in three grouped queries."""
        ids = list(contract_ids)
        if not ids:
            return {}
        live_cases = [
            CASES.c.tenant_id == self.tenant_id,
            CASES.c.deleted_at.is_(None),
            CASES.c.service_contract_id.in_(ids),
        ]
        cases = await self.session.execute(
            sa.select(CASES.c.service_contract_id, sa.func.count())
            .where(*live_cases)
            .group_by(CASES.c.service_contract_id)
        )
        on_cases = await self.session.execute(
            sa.select(CASES.c.service_contract_id, sa.func.sum(TimelogRow.minutes))
            .join(CASES, TimelogRow.case_id == CASES.c.id)
            .where(TimelogRow.tenant_id == self.tenant_id, *live_cases)
            .group_by(CASES.c.service_contract_id)
        )
        on_orders = await self.session.execute(
            sa.select(WorkOrderRow.service_contract_id, sa.func.sum(TimelogRow.minutes))
            .join(WorkOrderRow, TimelogRow.work_order_id == WorkOrderRow.id)
            .where(
                TimelogRow.tenant_id == self.tenant_id,
                WorkOrderRow.tenant_id == self.tenant_id,
                active(WorkOrderRow),
                WorkOrderRow.service_contract_id.in_(ids),
            )
            .group_by(WorkOrderRow.service_contract_id)
        )
        counts: dict[uuid.UUID, int] = {cid: int(n) for cid, n in cases.all()}
        minutes: dict[uuid.UUID, int] = {}
        for cid, total in [*on_cases.all(), *on_orders.all()]:
            minutes[cid] = minutes.get(cid, 0) + int(total or 0)
        return {cid: Usage(counts.get(cid, 0), minutes.get(cid, 0)) for cid in ids}

    # ---- work orders ----

    def _orders(self) -> list[sa.ColumnElement[bool]]:
        return [
            WorkOrderRow.tenant_id == self.tenant_id,
            active(WorkOrderRow),
            visible_filter(self.ctx, order_rules.MODULE, WorkOrderRow.owner_id),
        ]

    async def work_order(self, order_id: uuid.UUID, *, for_update: bool = False) -> Any:
        stmt = sa.select(WorkOrderRow).where(WorkOrderRow.id == order_id, *self._orders())
        return await self._one(stmt, for_update, "work order")

    async def work_orders(
        self, filters: WorkOrderFilters, *, limit: int, cursor: str | None
    ) -> Page[WorkOrderRow]:
        stmt = sa.select(WorkOrderRow).where(*self._orders())
        equal: dict[str, Any] = {
            "status": filters.status,
            "case_id": filters.case_id,
            "account_id": filters.account_id,
            "service_contract_id": filters.service_contract_id,
            "owner_id": filters.owner_id,
        }
        for name, value in equal.items():
            if value:
                stmt = stmt.where(getattr(WorkOrderRow, name) == value)
        order = (WorkOrderRow.created_at, WorkOrderRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def work_order_for_link(self, order_id: uuid.UUID) -> WorkOrderRow:
        """The work order a body names: 422 naming ``work_order_id`` when the
        tenant has no such live record, 404 when the caller may not see it."""
        exists = await self.session.scalar(
            sa.select(WorkOrderRow.id).where(
                WorkOrderRow.id == order_id,
                WorkOrderRow.tenant_id == self.tenant_id,
                active(WorkOrderRow),
            )
        )
        if exists is None:
            raise InvalidArgument.for_field("work_order_id", "no such work order")
        row: WorkOrderRow = await self.work_order(order_id, for_update=True)
        return row

    async def next_number(self, kind: str, year: int) -> str:
        """Gapless per tenant, kind and year: the counter row stays locked until
        the caller's transaction ends (take the number last)."""
        stmt = (
            insert(FieldCounterRow)
            .values(tenant_id=self.tenant_id, kind=kind, year=year, last_value=1)
            .on_conflict_do_update(
                index_elements=["tenant_id", "kind", "year"],
                set_={"last_value": FieldCounterRow.last_value + 1},
            )
            .returning(FieldCounterRow.last_value)
        )
        value = (await self.session.execute(stmt)).scalar_one()
        return f"{kind}-{year}-{value:06d}"

    # ---- cases (read only) ----

    async def case_exists(self, case_id: uuid.UUID, field: str = "case_id") -> None:
        """A live case of the tenant (422 naming ``field`` otherwise)."""
        found = await self.session.scalar(
            sa.select(CASES.c.id).where(
                CASES.c.id == case_id,
                CASES.c.tenant_id == self.tenant_id,
                CASES.c.deleted_at.is_(None),
            )
        )
        if found is None:
            raise InvalidArgument.for_field(field, "no such case")

    async def visible_case(self, case_id: uuid.UUID) -> None:
        """A live case the caller may see under the cases module; NOT_FOUND
        otherwise, as reading the case would answer."""
        stmt = sa.select(CASES.c.id).where(
            CASES.c.id == case_id,
            CASES.c.tenant_id == self.tenant_id,
            CASES.c.deleted_at.is_(None),
            visible_filter(self.ctx, CASES_MODULE, CASE_OWNER),
        )
        if await self.session.scalar(stmt) is None:
            raise NotFound("case not found")

    async def _one(self, stmt: sa.Select[Any], for_update: bool, what: str) -> Any:
        if for_update:
            stmt = stmt.with_for_update()
        row = await self.session.scalar(stmt)
        if row is None:
            raise NotFound(f"{what} not found")
        return row


def _status_is(status: str, today: date) -> sa.ColumnElement[bool]:
    """The derived status as a condition: expired = active past its end date."""
    row = ServiceContractRow
    if status == contract_rules.EXPIRED:
        return sa.and_(row.status == contract_rules.ACTIVE, row.end_date < today)
    if status == contract_rules.ACTIVE:
        return sa.and_(row.status == contract_rules.ACTIVE, row.end_date >= today)
    return row.status == status
