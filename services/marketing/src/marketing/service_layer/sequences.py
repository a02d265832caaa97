"""E-mail sequences (module sequences): ordered steps with delays in business or
calendar days, enrolment of leads and contacts, exit on reply, unsubscribe,
conversion or manual stop.

The scheduler runs in every replica: one run claims due active enrolments with
``FOR UPDATE SKIP LOCKED`` (another replica skips them), queues the step's send
under the unique key ``s:<enrolment>:<step>`` and advances the enrolment, all in
one transaction. A step is therefore queued exactly once, whatever the number
of replicas or restarts; the dispatcher mails it (consent checked there).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from crm_common.access import AccessContext, require, require_record_edit
from crm_common.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import soft_delete
from crm_common.runtime import Job
from marketing.adapters.orm import EnrollmentRow, ProspectRow, SendRow, SequenceRow, TemplateRow
from marketing.domain.business_days import UNITS, add_delay
from marketing.service_layer.common import (
    actor,
    check_version,
    commit,
    get_visible,
    page_visible,
    tenant_of,
    tenant_settings,
)
from marketing.service_layer.deps import MarketingDeps
from marketing.service_layer.segments import consents_of
from marketing.service_layer.sends import poll_job

MODULE = "sequences"
MAX_STEPS = 20
BATCH = 200


@dataclass(frozen=True)
class Step:
    delay_days: int
    template_id: uuid.UUID


@dataclass(frozen=True)
class SequenceInput:
    name: str | None
    status: str | None
    delay_unit: str | None
    steps: tuple[Step, ...] | None  # None: keep


def _validate(data: SequenceInput, creating: bool) -> None:
    found: list[FieldViolation] = []
    if data.name is not None and (not data.name.strip() or len(data.name) > 200):
        found.append(FieldViolation("name", "1..200 characters"))
    if creating and data.name is None:
        found.append(FieldViolation("name", "is required"))
    if data.status is not None and data.status not in ("active", "paused"):
        found.append(FieldViolation("status", "must be active or paused"))
    if data.delay_unit is not None and data.delay_unit not in UNITS:
        found.append(FieldViolation("delay_unit", "must be business_days or calendar_days"))
    if data.steps is not None:
        if not 1 <= len(data.steps) <= MAX_STEPS:
            found.append(FieldViolation("steps", f"1..{MAX_STEPS} steps"))
        for i, step in enumerate(data.steps):
            if not 0 <= step.delay_days <= 365:
                found.append(FieldViolation(f"steps[{i}].delay_days", "must be 0..365"))
    if found:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in found), found)


async def _check_templates(session: Any, tenant_id: uuid.UUID, steps: tuple[Step, ...]) -> None:
    ids = {s.template_id for s in steps}
    known = set(
        (
            await session.scalars(
                sa.select(TemplateRow.id).where(
                    TemplateRow.tenant_id == tenant_id,
                    TemplateRow.id.in_(ids),
                    TemplateRow.deleted_at.is_(None),
                )
            )
        ).all()
    )
    for i, step in enumerate(steps):
        if step.template_id not in known:
            raise InvalidArgument.for_field(f"steps[{i}].template_id", "no such e-mail template")


def _assign(row: SequenceRow, data: SequenceInput, ctx: AccessContext) -> None:
    if data.name is not None:
        row.name = data.name.strip()
    if data.status is not None:
        row.status = data.status
    if data.delay_unit is not None:
        row.delay_unit = data.delay_unit
    if data.steps is not None:
        row.steps = [
            {"position": i + 1, "delay_days": s.delay_days, "template_id": str(s.template_id)}
            for i, s in enumerate(data.steps)
        ]
    row.updated_by = actor(ctx)


async def create_sequence(
    data: SequenceInput, ctx: AccessContext, deps: MarketingDeps
) -> SequenceRow:
    require(ctx, MODULE, "create")
    _validate(data, creating=True)
    if data.steps is None:
        raise InvalidArgument.for_field("steps", "at least one step")
    async with deps.uow() as uow:
        await _check_templates(uow.session, tenant_of(ctx), data.steps)
        row = SequenceRow(
            id=uuid.uuid4(), tenant_id=tenant_of(ctx), owner_id=actor(ctx), created_by=actor(ctx),
            status="active", delay_unit="business_days",
        )  # fmt: skip
        _assign(row, data, ctx)
        uow.session.add(row)
        await uow.commit()
    return row


async def get_sequence(
    sequence_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps
) -> SequenceRow:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await get_visible(
            uow.session, SequenceRow, ctx, MODULE, sequence_id, what="sequence"
        )


async def list_sequences(
    ctx: AccessContext, deps: MarketingDeps, *, limit: int, cursor: str | None
) -> Page[SequenceRow]:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await page_visible(uow.session, SequenceRow, ctx, MODULE, limit=limit, cursor=cursor)


async def _editable(uow: Any, ctx: AccessContext, sequence_id: uuid.UUID) -> SequenceRow:
    row = await get_visible(uow.session, SequenceRow, ctx, MODULE, sequence_id, for_update=True,
                            what="sequence")  # fmt: skip
    require_record_edit(ctx, MODULE, str(row.owner_id or ""))
    return row


async def update_sequence(
    sequence_id: uuid.UUID, data: SequenceInput, expected: int, ctx: AccessContext,
    deps: MarketingDeps,
) -> SequenceRow:  # fmt: skip
    require(ctx, MODULE, "edit")
    _validate(data, creating=False)
    async with deps.uow() as uow:
        row = await _editable(uow, ctx, sequence_id)
        check_version(row, expected, "sequence")
        if data.steps is not None:
            await _check_templates(uow.session, row.tenant_id, data.steps)
        _assign(row, data, ctx)
        await commit(uow, "sequence")
    return row


async def delete_sequence(sequence_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps) -> None:
    require(ctx, MODULE, "delete")
    async with deps.uow() as uow:
        row = await _editable(uow, ctx, sequence_id)
        await soft_delete(uow.session, SequenceRow, row.tenant_id, row.id, actor(ctx))
        await uow.session.execute(
            sa.update(EnrollmentRow)
            .where(EnrollmentRow.sequence_id == row.id, EnrollmentRow.status == "active")
            .values(status="exited", exit_reason="manual", ended_at=deps.now(), next_run_at=None)
        )
        await commit(uow, "sequence")


# ---- enrolment ----


@dataclass(frozen=True)
class Enrolled:
    enrolled: list[EnrollmentRow]
    already: int
    unknown: list[str]


async def enroll(
    sequence_id: uuid.UUID,
    lead_ids: list[uuid.UUID],
    contact_ids: list[uuid.UUID],
    ctx: AccessContext,
    deps: MarketingDeps,
) -> Enrolled:
    require(ctx, MODULE, "edit")
    if not lead_ids and not contact_ids:
        raise InvalidArgument.for_field("lead_ids", "give lead_ids or contact_ids")
    if len(lead_ids) + len(contact_ids) > 1000:
        raise InvalidArgument.for_field("lead_ids", "at most 1000 per call")
    tenant_id = tenant_of(ctx)
    now = deps.now()
    async with deps.uow() as uow:
        row = await _editable(uow, ctx, sequence_id)
        if row.status != "active":
            raise FailedPrecondition("the sequence is paused")
        tz = (await tenant_settings(uow.session, tenant_id, deps.settings)).timezone
        wanted = {(i, "lead") for i in lead_ids} | {(i, "contact") for i in contact_ids}
        prospects = [
            p
            for p in await uow.session.scalars(
                sa.select(ProspectRow).where(
                    ProspectRow.tenant_id == tenant_id,
                    ProspectRow.id.in_([i for i, _ in wanted]),
                    ProspectRow.deleted.is_(False),
                )
            )
            if (p.id, p.kind) in wanted
        ]
        known = {p.id for p in prospects}
        refused = await consents_of(uow.session, tenant_id, [p.email for p in prospects])
        first = add_delay(now, int(row.steps[0]["delay_days"]), row.delay_unit, tz)
        created: list[EnrollmentRow] = []
        for p in prospects:
            unsubscribed = refused.get(p.email, "subscribed") != "subscribed"
            values = {
                "id": uuid.uuid4(), "tenant_id": tenant_id, "sequence_id": row.id,
                "prospect_id": p.id, "prospect_kind": p.kind, "enrolled_at": now,
                "created_by": actor(ctx),
                "status": "exited" if unsubscribed else "active",
                "exit_reason": "unsubscribed" if unsubscribed else "",
                "next_step": 0 if unsubscribed else 1,
                "next_run_at": None if unsubscribed else first,
                "ended_at": now if unsubscribed else None,
            }  # fmt: skip
            inserted = await uow.session.scalar(
                insert(EnrollmentRow)
                .values(**values)
                .on_conflict_do_nothing(
                    index_elements=["sequence_id", "prospect_id"],
                    index_where=sa.text("status = 'active'"),
                )
                .returning(EnrollmentRow.id)
            )
            if inserted is not None:
                created.append(EnrollmentRow(**values))
        await uow.commit()
    unknown = [str(i) for i, _ in sorted(wanted, key=str) if i not in known]
    return Enrolled(created, len(prospects) - len(created), unknown)


async def list_enrollments(
    sequence_id: uuid.UUID, status: str, ctx: AccessContext, deps: MarketingDeps, *,
    limit: int, cursor: str | None,
) -> Page[EnrollmentRow]:  # fmt: skip
    require(ctx, MODULE, "view")
    if status and status not in ("active", "completed", "exited"):
        raise InvalidArgument.for_field("status", "must be active, completed or exited")
    async with deps.uow() as uow:
        row = await get_visible(uow.session, SequenceRow, ctx, MODULE, sequence_id, what="sequence")
        stmt = sa.select(EnrollmentRow).where(EnrollmentRow.sequence_id == row.id)
        if status:
            stmt = stmt.where(EnrollmentRow.status == status)
        return await paginate(uow.session, stmt, (EnrollmentRow.enrolled_at, EnrollmentRow.id),
                              limit=limit, cursor=cursor)  # fmt: skip


async def stop_enrollment(
    sequence_id: uuid.UUID, enrollment_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps
) -> EnrollmentRow:
    require(ctx, MODULE, "edit")
    async with deps.uow() as uow:
        row = await _editable(uow, ctx, sequence_id)
        enrollment = await uow.session.scalar(
            sa.select(EnrollmentRow)
            .where(EnrollmentRow.sequence_id == row.id, EnrollmentRow.id == enrollment_id)
            .with_for_update()
        )
        if enrollment is None:
            raise NotFound("enrolment not found")
        if enrollment.status == "active":
            enrollment.status, enrollment.exit_reason = "exited", "manual"
            enrollment.ended_at, enrollment.next_run_at = deps.now(), None
        await uow.commit()
    return enrollment


# ---- the scheduler ----


async def run_due_steps(
    deps: MarketingDeps, now: datetime | None = None, batch: int = BATCH
) -> int:
    """Queue every due step once (claimed rows, unique send key); returns how
    many steps were queued by this run."""
    now = now or deps.now()
    queued = 0
    for _ in range(1000):  # bounded: each pass claims a batch
        async with deps.uow() as uow:
            session = uow.session
            due = list(
                (
                    await session.scalars(
                        sa.select(EnrollmentRow)
                        .where(EnrollmentRow.status == "active", EnrollmentRow.next_run_at <= now)
                        .order_by(EnrollmentRow.next_run_at)
                        .limit(batch)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
            )
            progressed = 0
            for e in due:
                progressed += 1
                queued += await _advance(uow, e, deps, now)
            await uow.commit()
        if len(due) < batch or not progressed:
            return queued
    return queued


async def _advance(uow: Any, e: EnrollmentRow, deps: MarketingDeps, now: datetime) -> int:
    session = uow.session
    seq = await session.scalar(sa.select(SequenceRow).where(SequenceRow.id == e.sequence_id))
    prospect = await session.scalar(
        sa.select(ProspectRow).where(
            ProspectRow.tenant_id == e.tenant_id, ProspectRow.id == e.prospect_id
        )
    )
    if seq is None or seq.deleted_at is not None or prospect is None or prospect.deleted:
        e.status, e.exit_reason, e.ended_at, e.next_run_at = "exited", "deleted", now, None
        return 0
    tz = (await tenant_settings(session, e.tenant_id, deps.settings)).timezone
    if seq.status != "active":  # paused: look again tomorrow
        e.next_run_at = add_delay(now, 1, "calendar_days", tz)
        return 0
    steps = sorted(seq.steps, key=lambda s: int(s["position"]))
    if not 1 <= e.next_step <= len(steps):
        e.status, e.next_step, e.ended_at, e.next_run_at = "completed", 0, now, None
        return 0
    step = steps[e.next_step - 1]
    added = 0
    if prospect.email:
        inserted = await session.scalar(
            insert(SendRow)
            .values(
                id=uuid.uuid4(), tenant_id=e.tenant_id, dedupe_key=f"s:{e.id}:{step['position']}",
                sequence_id=seq.id, enrollment_id=e.id, step=int(step["position"]),
                template_id=uuid.UUID(step["template_id"]), prospect_id=prospect.id,
                prospect_kind=prospect.kind, email=prospect.email, status="queued", created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(SendRow.id)
        )  # fmt: skip
        added = 1 if inserted is not None else 0
    e.steps_sent += added
    if e.next_step < len(steps):
        nxt = steps[e.next_step]
        e.next_step += 1
        e.next_run_at = add_delay(now, int(nxt["delay_days"]), seq.delay_unit, tz)
    else:
        e.status, e.next_step, e.ended_at, e.next_run_at = "completed", 0, now, None
    return added


def scheduler_job(deps: MarketingDeps) -> Job:
    return poll_job("sequence scheduler", lambda: run_due_steps(deps),
                    deps.settings.marketing_sequence_poll_seconds)  # fmt: skip
