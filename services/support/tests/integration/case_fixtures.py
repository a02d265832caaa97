"""What the cases and SLA scheduler service tests share: callers, SLA policies
written straight into the SLA area's tables, a fake identity and the outbox."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import grpc
import sqlalchemy as sa

from crm.identity.v1 import access_pb2
from crm.support.v1 import events_pb2
from crm_common.access import AccessContext
from crm_common.auth import current_principal
from crm_common.events.envelope import parse_envelope, unpack_payload
from crm_common.events.tables import OutboxMessage
from support.adapters.orm_sla import BusinessHoursRow, SlaPolicyRow
from support.service_layer.deps import SupportDeps

WORK = frozenset({"view", "create", "edit", "delete", "export"})
OFFICE_WEEK = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def admin(tenant: str | None = None) -> AccessContext:
    return AccessContext(
        tenant_id=tenant or str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        all_records=True,
        permissions={"cases": WORK},
    )


def agent(tenant: str, *, actions: frozenset[str] = WORK - {"delete"}) -> AccessContext:
    """Own records only (private default), like the Support Agent profile."""
    user = str(uuid.uuid4())
    return AccessContext(
        tenant_id=tenant, user_id=user, permissions={"cases": actions}, own_ids=frozenset({user})
    )


async def add_policy(
    deps: SupportDeps,
    tenant: str,
    *,
    timezone: str = "Europe/Amsterdam",
    weekly: dict[str, Any] | None = None,
    always_open: bool = False,
    position: int = 0,
    **values: Any,
) -> uuid.UUID:
    """A calendar and an SLA policy of the tenant (P1..P4, every tier)."""
    tenant_id = uuid.UUID(tenant)
    async with deps.uow() as uow:
        calendar = BusinessHoursRow(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            name=f"hours-{uuid.uuid4().hex[:6]}",
            timezone=timezone,
            weekly=OFFICE_WEEK if weekly is None else weekly,
            holidays=[],
            always_open=always_open,
        )
        uow.session.add(calendar)
        await uow.session.flush()
        policy = SlaPolicyRow(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            name=f"policy-{uuid.uuid4().hex[:6]}",
            position=position,
            active=True,
            priorities=[],
            account_tiers=[],
            service_contract_ids=[],
            business_hours_id=calendar.id,
            first_response_minutes=values.pop("first_response_minutes", None),
            next_response_minutes=values.pop("next_response_minutes", None),
            resolution_minutes=values.pop("resolution_minutes", None),
            warning_percent=values.pop("warning_percent", 80),
            pause_statuses=values.pop("pause_statuses", ["waiting_on_customer"]),
            escalations=values.pop("escalations", []),
            **values,
        )
        uow.session.add(policy)
        await uow.commit()
    return policy.id


class FakeIdentity:
    """identity's AccessServiceStub as far as cases use it."""

    def __init__(self) -> None:
        self.groups: dict[str, list[uuid.UUID]] = {}
        self.roles: list[tuple[str, str]] = []  # (role id, parent id)
        self.users: list[tuple[uuid.UUID, str]] = []  # (user, role id)
        self.principals: list[Any] = []

    async def ResolveGroupUsers(
        self, request: access_pb2.ResolveGroupUsersRequest
    ) -> access_pb2.ResolveGroupUsersResponse:
        self.principals.append(current_principal())
        if request.group_id not in self.groups:
            meta = grpc.aio.Metadata()
            raise grpc.aio.AioRpcError(grpc.StatusCode.NOT_FOUND, meta, meta, "no such group")
        users = [str(u) for u in self.groups[request.group_id]]
        return access_pb2.ResolveGroupUsersResponse(user_ids=users)

    async def GetOrgChart(self, request: access_pb2.GetOrgChartRequest) -> access_pb2.OrgChart:
        self.principals.append(current_principal())
        return access_pb2.OrgChart(
            roles=[access_pb2.OrgChartRole(id=r, name=r, parent_id=p) for r, p in self.roles],
            users=[access_pb2.OrgChartUser(id=str(u), role_id=r) for u, r in self.users],
        )


def with_identity(deps: SupportDeps, identity: FakeIdentity) -> SupportDeps:
    return dataclasses.replace(deps, identity_access=identity)


async def events(deps: SupportDeps, tenant: str, subject: str) -> list[Any]:
    """Payloads of ``subject`` in the outbox for ``tenant``, oldest first."""
    types = {
        "crm.support.case": events_pb2.CaseChanged,
        "crm.support.sla": events_pb2.SlaEvent,
    }
    kind = types.get(subject.rsplit(".", 1)[0], events_pb2.CaseChanged)
    if subject.endswith(".commented"):
        kind = events_pb2.CaseCommented
    async with deps.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(OutboxMessage.payload)
            .where(OutboxMessage.tenant_id == tenant, OutboxMessage.subject == subject)
            .order_by(OutboxMessage.seq)
        )
        return [unpack_payload(parse_envelope(p), kind) for p in rows]
