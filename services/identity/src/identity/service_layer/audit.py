"""The access audit trail: built from auth events by identity's own consumer,
so logins are audited even when they come from another replica."""

from __future__ import annotations

import uuid
from datetime import UTC

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from crm.common.v1 import events_pb2 as common_events
from crm.identity.v1 import events_pb2
from crm_common.access import require
from crm_common.auth import Principal
from crm_common.db import UnitOfWork
from crm_common.events.envelope import unpack_payload
from crm_common.pagination import Page, paginate
from identity.adapters.orm import AccessAuditRow
from identity.service_layer.access_resolution import access_for
from identity.service_layer.deps import IdentityDeps

CONSUMER = "identity-access-audit"


async def record_access_event(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
    payload = unpack_payload(envelope, events_pb2.AuthEvent)
    kind = envelope.type.rsplit(".", 1)[-1]
    await uow.session.execute(
        insert(AccessAuditRow)
        .values(
            id=uuid.uuid4(),
            tenant_id=uuid.UUID(envelope.tenant_id),
            event_id=uuid.UUID(envelope.id),
            kind=kind,
            user_id=uuid.UUID(payload.user_id) if payload.user_id else None,
            email=payload.email,
            client_ip=payload.client_ip,
            detail=payload.reason,
            occurred_at=envelope.time.ToDatetime(tzinfo=UTC),
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
    )


async def list_access_audit(
    principal: Principal,
    deps: IdentityDeps,
    *,
    limit: int,
    cursor: str | None,
    kinds: list[str] | None = None,
) -> Page[AccessAuditRow]:
    async with deps.uow() as uow:
        require(await access_for(uow, principal), "audit", "view")
        stmt = sa.select(AccessAuditRow).where(
            AccessAuditRow.tenant_id == uuid.UUID(principal.tenant_id)
        )
        if kinds:
            stmt = stmt.where(AccessAuditRow.kind.in_(kinds))
        return await paginate(
            uow.session,
            stmt,
            (AccessAuditRow.occurred_at, AccessAuditRow.id),
            limit=limit,
            cursor=cursor,
            descending=True,
        )
