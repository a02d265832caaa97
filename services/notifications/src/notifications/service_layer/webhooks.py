"""Webhook endpoints of a tenant: register, read, change, delete, rotate the
secret; the delivery log and replay. One unit of work per handler.

Access: module ``webhooks`` (``domain.webhooks.MODULE``), which identity lets no
seeded profile name: only a profile granting every module ("*", the
Administrator's) manages webhooks, a user's or an API key's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from crm_common.access import AccessContext, require
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import FailedPrecondition, InvalidArgument, VersionConflict
from crm_common.pagination import Page
from notifications.adapters.orm_webhooks import WebhookDeliveryRow, WebhookEndpointRow
from notifications.adapters.webhook_repository import WebhookRepository
from notifications.domain import webhooks as rules
from notifications.domain.webhooks import RetryPolicy


@dataclass
class WebhookDeps:
    uow: Callable[[], UnitOfWork]
    # Loopback and private targets (and http to them): development and tests only.
    allow_private_targets: bool = False
    policy: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(frozen=True)
class WebhookInput:
    url: str
    description: str = ""
    event_types: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class WithSecret:
    row: WebhookEndpointRow
    secret: str


def _tenant(ctx: AccessContext) -> uuid.UUID:
    return uuid.UUID(ctx.tenant_id)


def _actor(ctx: AccessContext) -> uuid.UUID | None:
    return uuid.UUID(ctx.user_id) if ctx.user_id else None


def _clean(values: dict[str, Any], deps: WebhookDeps) -> dict[str, Any]:
    """Every field checked; all violations reported at once."""
    clean: dict[str, Any] = {}
    violations = []
    checks: dict[str, Callable[[Any], Any]] = {
        "url": lambda v: rules.validate_url(v, allow_private=deps.allow_private_targets),
        "description": rules.validate_description,
        "event_types": rules.validate_event_types,
        "active": bool,
    }
    for name, value in values.items():
        try:
            clean[name] = checks[name](value)
        except InvalidArgument as exc:
            violations.extend(exc.violations)
    if violations:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in violations), violations)
    return clean


async def create_webhook(cmd: WebhookInput, ctx: AccessContext, deps: WebhookDeps) -> WithSecret:
    require(ctx, rules.MODULE, "create")
    values = _clean(
        {"url": cmd.url, "description": cmd.description, "event_types": list(cmd.event_types),
         "active": cmd.active}, deps,
    )  # fmt: skip
    secret = rules.new_secret()
    async with deps.uow() as uow:
        row = WebhookEndpointRow(
            id=uuid.uuid4(), tenant_id=_tenant(ctx), created_by=_actor(ctx),
            updated_by=_actor(ctx), secret=secret, disabled_reason="", consecutive_failures=0,
            **values,
        )  # fmt: skip
        uow.session.add(row)
        await uow.commit()
    return WithSecret(row, secret)


async def get_webhook(
    webhook_id: uuid.UUID, ctx: AccessContext, deps: WebhookDeps
) -> WebhookEndpointRow:
    require(ctx, rules.MODULE, "view")
    async with deps.uow() as uow:
        return await WebhookRepository(uow.session, _tenant(ctx)).endpoint(webhook_id)


async def list_webhooks(
    ctx: AccessContext, deps: WebhookDeps, *, active: bool | None, limit: int, cursor: str | None
) -> Page[WebhookEndpointRow]:
    require(ctx, rules.MODULE, "view")
    async with deps.uow() as uow:
        repo = WebhookRepository(uow.session, _tenant(ctx))
        return await repo.endpoints(active=active, limit=limit, cursor=cursor)


async def update_webhook(
    webhook_id: uuid.UUID, changes: dict[str, Any], expected_version: int,
    ctx: AccessContext, deps: WebhookDeps,
) -> WebhookEndpointRow:  # fmt: skip
    """Only the fields in ``changes``. ``active`` true on an inactive endpoint
    re-enables it: the failure streak starts again and its pending deliveries
    are due at once (in order)."""
    require(ctx, rules.MODULE, "edit")
    unknown = sorted(set(changes) - set(rules.UPDATABLE))
    if unknown:
        raise InvalidArgument.for_field(unknown[0], "cannot be changed")
    values = _clean(changes, deps)
    now = utcnow()
    async with deps.uow() as uow:
        repo = WebhookRepository(uow.session, _tenant(ctx))
        row = await repo.endpoint(webhook_id, for_update=True)
        _check_version(row, expected_version)
        if values.get("active") and not row.active:
            row.disabled_reason, row.disabled_at = "", None
            row.consecutive_failures, row.failing_since = 0, None
            await repo.resume_pending(row.id, now)
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = _actor(ctx)
        await _commit(uow)
    return row


async def delete_webhook(
    webhook_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: WebhookDeps
) -> None:
    """Soft delete: the endpoint stops receiving; its pending deliveries end
    failed ("endpoint deleted"); its log is no longer reachable."""
    require(ctx, rules.MODULE, "delete")
    now = utcnow()
    async with deps.uow() as uow:
        repo = WebhookRepository(uow.session, _tenant(ctx))
        row = await repo.endpoint(webhook_id, for_update=True)
        _check_version(row, expected_version)
        row.deleted_at, row.active, row.updated_by = now, False, _actor(ctx)
        await repo.fail_pending(row.id, now, "endpoint deleted")
        await _commit(uow)


async def rotate_secret(webhook_id: uuid.UUID, ctx: AccessContext, deps: WebhookDeps) -> WithSecret:
    """A new secret at once: every attempt from now on is signed with it."""
    require(ctx, rules.MODULE, "edit")
    secret = rules.new_secret()
    async with deps.uow() as uow:
        row = await WebhookRepository(uow.session, _tenant(ctx)).endpoint(
            webhook_id, for_update=True
        )
        row.secret, row.updated_by = secret, _actor(ctx)
        await _commit(uow)
    return WithSecret(row, secret)


async def list_deliveries(
    webhook_id: uuid.UUID, status: str, ctx: AccessContext, deps: WebhookDeps, *,
    limit: int, cursor: str | None,
) -> Page[WebhookDeliveryRow]:  # fmt: skip
    require(ctx, rules.MODULE, "view")
    if status and status not in rules.STATUSES:
        raise InvalidArgument.for_field("status", f"one of {', '.join(rules.STATUSES)}")
    async with deps.uow() as uow:
        repo = WebhookRepository(uow.session, _tenant(ctx))
        await repo.endpoint(webhook_id)  # another tenant's: not found
        return await repo.deliveries(webhook_id, status=status, limit=limit, cursor=cursor)


async def replay_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, ctx: AccessContext, deps: WebhookDeps
) -> WebhookDeliveryRow:
    """A copy of a delivered or failed delivery (same event id and body), queued
    at the end of the endpoint's queue; the original stays in the log as it was."""
    require(ctx, rules.MODULE, "edit")
    async with deps.uow() as uow:
        repo = WebhookRepository(uow.session, _tenant(ctx))
        await repo.endpoint(webhook_id)
        original = await repo.delivery(webhook_id, delivery_id)
        if original.status == rules.PENDING:
            raise FailedPrecondition("the delivery is pending: it is still being tried")
        copy = await repo.add_replay(original, utcnow())
        await uow.commit()
    return copy


def _check_version(row: WebhookEndpointRow, expected: int) -> None:
    if expected and expected != row.version:
        raise VersionConflict(f"record is at version {row.version}")


async def _commit(uow: UnitOfWork) -> None:
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("the webhook changed concurrently; read it again") from exc
