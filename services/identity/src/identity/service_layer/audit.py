"""The access audit trail: logins, access-model changes and refused attempts,
built from events by identity's own consumer, so what any replica of any
service saw ends up in one place."""

from __future__ import annotations

import uuid
from datetime import UTC

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from crm.common.v1 import access_pb2
from crm.common.v1 import events_pb2 as common_events
from crm.identity.v1 import events_pb2
from crm_common.access import require
from crm_common.auth import Principal
from crm_common.db import UnitOfWork
from crm_common.events.envelope import unpack_payload
from crm_common.pagination import Page, paginate
from identity.adapters.orm import AccessAuditRow
from identity.domain import events
from identity.service_layer.access_resolution import access_for
from identity.service_layer.deps import IdentityDeps

CONSUMER = "identity-access-audit"


LOGIN_KINDS = ["login_succeeded", "login_failed", "refresh_reuse_detected", "logout"]


async def record_access_event(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
    """One audit row per event (the inbox already drops redeliveries; the unique
    event id guards a replay from another consumer name too)."""
    entry = _entry(envelope)
    await uow.session.execute(
        insert(AccessAuditRow)
        .values(
            id=uuid.uuid4(),
            tenant_id=uuid.UUID(envelope.tenant_id),
            event_id=uuid.UUID(envelope.id),
            occurred_at=envelope.time.ToDatetime(tzinfo=UTC),
            **entry,
        )
        .on_conflict_do_nothing(index_elements=["event_id"])
    )


def _entry(envelope: common_events.Envelope) -> dict[str, object]:
    actor = uuid.UUID(envelope.actor_id) if envelope.actor_id else None
    if envelope.type == events.ACCESS_CHANGED:
        changed = unpack_payload(envelope, events_pb2.AccessChanged)
        detail = f"{changed.kind} {changed.record_id} {changed.change}: {changed.detail}"
        return {"kind": "access_changed", "user_id": actor, "detail": detail[:2000]}
    if envelope.type.endswith(".access.denied"):
        denied = unpack_payload(envelope, access_pb2.AccessDenied)
        who = denied.user_id or f"api key {denied.api_key_id}"
        detail = f"{who} refused {denied.method} ({envelope.source}): {denied.reason}"
        return {"kind": "access_denied", "user_id": actor, "detail": detail[:2000]}
    auth = unpack_payload(envelope, events_pb2.AuthEvent)
    return {
        "kind": envelope.type.rsplit(".", 1)[-1],
        "user_id": uuid.UUID(auth.user_id) if auth.user_id else None,
        "email": auth.email,
        "client_ip": auth.client_ip,
        "detail": auth.reason,
    }


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
