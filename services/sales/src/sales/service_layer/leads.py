"""Leads: create, read, list, update, change status, delete (into the recycle bin).

Handlers take the caller's ``AccessContext`` (resolved by the entrypoint from
identity) and own one unit of work each: the change, its status history and its
event commit together or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.orm.exc import StaleDataError

from crm.sales.v1 import events_pb2
from crm_common.access import (
    AccessContext,
    check_writable_fields,
    hidden_fields,
    require,
    require_record_edit,
)
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    VersionConflict,
)
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page
from crm_common.recycle_bin import soft_delete
from sales.adapters.orm import LeadRow, LeadStatusHistoryRow
from sales.adapters.repository import MODULE, LeadFilters, LeadRepository
from sales.domain import events, model, rules
from sales.domain.commands import ChangeLeadStatus, CreateLead, DeleteLead, UpdateLead
from sales.metrics import LEADS_CREATED
from sales.service_layer import assignment
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor, owner_for


@dataclass(frozen=True)
class VisibleLead:
    row: LeadRow
    history: list[LeadStatusHistoryRow]
    hidden: frozenset[str]


async def create_lead(
    cmd: CreateLead, ctx: AccessContext, deps: SalesDeps
) -> tuple[VisibleLead, list[str]]:
    require(ctx, MODULE, "create")
    check_writable_fields(ctx, MODULE, cmd.given_fields())
    values = rules.clean({**rules.NEW_LEAD_DEFAULTS, **cmd.values})
    rules.validate_new(values)
    status = model.check_initial_status(cmd.status)
    # No owner given: an assignment rule may decide (planned here, chosen under its lock).
    plan = None
    if "owner_id" not in values:
        plan = await assignment.plan_owner({**values, "status": status}, ctx, deps)
    owner_id = owner_for(ctx, MODULE, values.pop("owner_id", None)) if plan is None else None
    async with deps.uow() as uow:
        repo = LeadRepository(uow.session, ctx)
        if plan is not None:
            owner_id = await assignment.choose_owner(uow.session, plan)
        lead = LeadRow(id=uuid.uuid4(), tenant_id=repo.tenant_id, owner_id=owner_id, status=status)
        _assign(lead, values, ctx)
        lead.created_by = lead.updated_by
        await _lock_duplicate_keys(uow, lead)
        duplicates = await _duplicates(repo, lead, reject=cmd.reject_duplicates)
        uow.session.add(lead)
        history = [_history(lead, "", status, "", ctx)]
        uow.session.add_all(history)
        uow.record(lead_event(events.LEAD_CREATED, lead, ctx))
        await uow.commit()
    LEADS_CREATED.inc()
    return VisibleLead(lead, history, hidden_fields(ctx, MODULE)), duplicates


async def get_lead(lead_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps) -> VisibleLead:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        repo = LeadRepository(uow.session, ctx)
        return await _visible(repo, await repo.get(lead_id))


async def list_leads(
    ctx: AccessContext, deps: SalesDeps, filters: LeadFilters, *, limit: int, cursor: str | None
) -> Page[VisibleLead]:
    require(ctx, MODULE, "view")
    if filters.status:
        model.check_status_name(filters.status)
    async with deps.uow() as uow:
        repo = LeadRepository(uow.session, ctx)
        page = await repo.page(filters, limit=limit, cursor=cursor)
        history = await repo.history([lead.id for lead in page.items])
    hidden = hidden_fields(ctx, MODULE)
    items = [VisibleLead(lead, history[lead.id], hidden) for lead in page.items]
    return Page(items, page.next_cursor)


async def update_lead(cmd: UpdateLead, ctx: AccessContext, deps: SalesDeps) -> VisibleLead:
    require(ctx, MODULE, "edit")
    check_writable_fields(ctx, MODULE, cmd.changes)
    changes = rules.clean(cmd.changes)
    async with deps.uow() as uow:
        repo = LeadRepository(uow.session, ctx)
        lead = await _editable(repo, cmd.lead_id, cmd.expected_version)
        if "owner_id" in changes:
            changes["owner_id"] = owner_for(ctx, MODULE, changes["owner_id"])
        rules.validate_changes(changes, {**_values(lead), **changes})
        _assign(lead, changes, ctx)
        await _lock_duplicate_keys(uow, lead)
        uow.record(lead_event(events.LEAD_UPDATED, lead, ctx, sorted(cmd.changes)))
        await _commit(uow)
        return await _visible(repo, lead)


async def change_status(cmd: ChangeLeadStatus, ctx: AccessContext, deps: SalesDeps) -> VisibleLead:
    require(ctx, MODULE, "edit")
    check_writable_fields(ctx, MODULE, ["status"])
    async with deps.uow() as uow:
        repo = LeadRepository(uow.session, ctx)
        lead = await _editable(repo, cmd.lead_id, cmd.expected_version, closed_ok=True)
        model.check_transition(lead.status, cmd.status)
        previous, lead.status = lead.status, cmd.status
        lead.updated_by = actor(ctx)
        uow.session.add(_history(lead, previous, cmd.status, cmd.reason.strip(), ctx))
        payload = events_pb2.LeadStatusChanged(
            lead_id=str(lead.id),
            owner_id=str(lead.owner_id),
            from_status=previous,
            to_status=cmd.status,
            reason=cmd.reason.strip(),
        )
        uow.record(_event(events.LEAD_STATUS_CHANGED, lead, payload, ctx))
        await _commit(uow)
        return await _visible(repo, lead)


async def delete_lead(cmd: DeleteLead, ctx: AccessContext, deps: SalesDeps) -> None:
    require(ctx, MODULE, "delete")
    async with deps.uow() as uow:
        repo = LeadRepository(uow.session, ctx)
        lead = await _editable(repo, cmd.lead_id, cmd.expected_version, closed_ok=True)
        await soft_delete(uow.session, LeadRow, repo.tenant_id, lead.id, actor(ctx))
        uow.record(lead_event(events.LEAD_DELETED, lead, ctx))
        await _commit(uow)


def lead_event(
    subject: str, lead: LeadRow, ctx: AccessContext | None, changed: list[str] | None = None
) -> NewEvent:
    """No contact details in events (see events.proto). ``ctx`` None: the system
    changed the lead (no actor)."""
    payload = events_pb2.LeadChanged(
        lead_id=str(lead.id),
        owner_id=str(lead.owner_id),
        status=lead.status,
        source=lead.source,
        score=lead.score,
        tags=list(lead.tags),
        changed_fields=changed or [],
    )
    return _event(subject, lead, payload, ctx)


def _event(subject: str, lead: LeadRow, payload: Message, ctx: AccessContext | None) -> NewEvent:
    by = (ctx.user_id or ctx.api_key_id) if ctx else ""
    return NewEvent(subject, str(lead.tenant_id), str(lead.id), payload, actor_id=by)


async def _editable(
    repo: LeadRepository, lead_id: uuid.UUID, expected_version: int, *, closed_ok: bool = False
) -> LeadRow:
    lead = await repo.get(lead_id, for_update=True)
    require_record_edit(repo.ctx, MODULE, str(lead.owner_id))
    if expected_version and expected_version != lead.version:
        raise VersionConflict(f"lead is at version {lead.version}, not {expected_version}")
    if lead.status == model.CONVERTED and not closed_ok:
        raise FailedPrecondition("a converted lead is read-only")
    return lead


async def _visible(repo: LeadRepository, lead: LeadRow) -> VisibleLead:
    history = (await repo.history([lead.id]))[lead.id]
    return VisibleLead(lead, history, hidden_fields(repo.ctx, MODULE))


async def _duplicates(repo: LeadRepository, lead: LeadRow, *, reject: bool) -> list[str]:
    found = await repo.duplicates(lead.email, lead.company_key)
    if reject:
        fields = rules.duplicate_fields(
            lead.email, lead.company, [(d.email, d.company) for d in found]
        )
        if fields:
            raise AlreadyExists(f"a lead with this {fields[0]} exists", field=fields[0])
    return repo.visible_ids(found)


async def _lock_duplicate_keys(uow: UnitOfWork, lead: LeadRow) -> None:
    """Creates with the same e-mail or company in a tenant take turns, so
    ``reject`` holds under concurrent creates (transaction-scoped locks)."""
    keys = [f"email:{lead.email}" if lead.email else "", f"company:{lead.company_key}"]
    for key in sorted(k for k in keys if k and not k.endswith(":")):
        await uow.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"sales:lead:{lead.tenant_id}:{key}"},
        )


def new_owner(ctx: AccessContext, owner_id: object) -> uuid.UUID:
    """A new lead's owner (imports use the same rule as a create)."""
    return owner_for(ctx, MODULE, owner_id)


def first_history(lead: LeadRow, ctx: AccessContext) -> LeadStatusHistoryRow:
    return _history(lead, "", lead.status, "", ctx)


def _assign(lead: LeadRow, values: dict[str, object], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(lead, name, value)
    lead.company_key = rules.normalize_company(lead.company or "")
    lead.updated_by = actor(ctx)


def _values(lead: LeadRow) -> dict[str, object]:
    return {"last_name": lead.last_name, "company": lead.company}


def _history(
    lead: LeadRow, previous: str, status: str, reason: str, ctx: AccessContext
) -> LeadStatusHistoryRow:
    return LeadStatusHistoryRow(
        id=uuid.uuid4(),
        tenant_id=lead.tenant_id,
        lead_id=lead.id,
        from_status=previous,
        to_status=status,
        reason=reason,
        changed_at=utcnow(),
        changed_by=actor(ctx),
    )


async def _commit(uow: UnitOfWork) -> None:
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("lead changed concurrently; read it again") from exc


def status_change(
    lead: LeadRow, previous: str, status: str, reason: str, ctx: AccessContext
) -> LeadStatusHistoryRow:
    """The history row of a status change made elsewhere (conversion)."""
    return _history(lead, previous, status, reason, ctx)


def status_changed_event(
    lead: LeadRow, previous: str, reason: str, ctx: AccessContext | None
) -> NewEvent:
    payload = events_pb2.LeadStatusChanged(
        lead_id=str(lead.id),
        owner_id=str(lead.owner_id),
        from_status=previous,
        to_status=lead.status,
        reason=reason,
    )
    return _event(events.LEAD_STATUS_CHANGED, lead, payload, ctx)


async def commit_lead(uow: UnitOfWork) -> None:
    """Commit, turning a lost optimistic race into VersionConflict."""
    await _commit(uow)
