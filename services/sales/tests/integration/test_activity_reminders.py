"""Activity reminders against real PostgreSQL: each armed, due reminder becomes
exactly one crm.sales.activity.due event, also with two job runs at once;
changing reminder_at re-arms it; closed and future ones stay quiet."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import sqlalchemy as sa

from crm.sales.v1 import activities_pb2
from crm_common.access import AccessContext
from crm_common.db import utcnow
from crm_common.events.envelope import parse_envelope, unpack_payload
from crm_common.events.tables import OutboxMessage
from sales.domain.activities import ACTIVITY_DUE
from sales.domain.commands import CreateLead, CreateRecord, UpdateRecord
from sales.service_layer import activities, leads
from sales.service_layer.deps import SalesDeps
from sales.service_layer.reminders import publish_due_reminders

ALL = frozenset({"view", "create", "edit", "delete"})


def admin() -> AccessContext:
    return AccessContext(
        tenant_id=str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        all_records=True,
        permissions={"leads": ALL, "activities": ALL},
    )


async def _activity(deps: SalesDeps, ctx: AccessContext, lead_id: uuid.UUID, **values: object):
    cmd = CreateRecord(
        {"type": "task", "subject": "Follow up", "related_type": "lead",
         "related_id": lead_id, **values}
    )  # fmt: skip
    return (await activities.create_activity(cmd, ctx, deps)).row


async def _lead(deps: SalesDeps, ctx: AccessContext) -> uuid.UUID:
    created, _ = await leads.create_lead(CreateLead({"last_name": "Due"}), ctx, deps)
    return created.row.id


async def _due_events(deps: SalesDeps, tenant_id: str) -> list[bytes]:
    async with deps.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(OutboxMessage.payload).where(
                OutboxMessage.tenant_id == tenant_id, OutboxMessage.subject == ACTIVITY_DUE
            )
        )
        return list(rows)


async def test_two_concurrent_runs_publish_each_reminder_once(deps: SalesDeps) -> None:
    ctx = admin()
    lead_id = await _lead(deps, ctx)
    past = utcnow() - timedelta(minutes=1)
    made = [await _activity(deps, ctx, lead_id, reminder_at=past) for _ in range(30)]
    await asyncio.gather(
        publish_due_reminders(deps.uow, batch=4), publish_due_reminders(deps.uow, batch=4)
    )
    payloads = await _due_events(deps, ctx.tenant_id)
    assert len(payloads) == 30
    ids = {
        unpack_payload(parse_envelope(p), activities_pb2.ActivityDue).activity_id for p in payloads
    }
    assert ids == {str(a.id) for a in made}
    await publish_due_reminders(deps.uow)
    assert len(await _due_events(deps, ctx.tenant_id)) == 30  # nothing twice
    one = await activities.get_activity(made[0].id, ctx, deps)
    assert one.row.reminded_at is not None and one.row.version == made[0].version


async def test_rearm_closed_and_future(deps: SalesDeps) -> None:
    ctx = admin()
    lead_id = await _lead(deps, ctx)
    past, future = utcnow() - timedelta(minutes=1), utcnow() + timedelta(days=1)
    due = await _activity(deps, ctx, lead_id, reminder_at=past, due_at=future)
    await _activity(deps, ctx, lead_id, reminder_at=future)
    await _activity(deps, ctx, lead_id, reminder_at=past, status="completed")
    await publish_due_reminders(deps.uow)
    payloads = await _due_events(deps, ctx.tenant_id)
    assert len(payloads) == 1
    event = parse_envelope(payloads[0])
    payload = unpack_payload(event, activities_pb2.ActivityDue)
    assert (payload.activity_id, payload.type, payload.related_id) == (
        str(due.id),
        "task",
        str(lead_id),
    )
    assert payload.due_at.ToDatetime().replace(microsecond=0) == future.replace(
        microsecond=0, tzinfo=None
    )
    rearm = UpdateRecord(due.id, {"reminder_at": past - timedelta(seconds=1)})
    await activities.update_activity(rearm, ctx, deps)
    await publish_due_reminders(deps.uow)
    assert len(await _due_events(deps, ctx.tenant_id)) == 2
