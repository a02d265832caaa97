"""API usage per tenant, UTC day and key, and the tenant's daily limit.

The gateway counts every authenticated call in Redis (``crm:usage:{tenant}:{yyyymmdd}``
for all calls, ``...:{key_id}`` for each API key's); ``flush_job`` copies today's and
yesterday's counters into ``usage_daily`` every minute, where the user-token calls
are the tenant's total minus its keys' (nil key id). Copies take the larger of the
stored and the live value: idempotent, and a Redis restart never lowers a count.
Reports read ``usage_daily`` plus today's live counters (Redis down: stored only).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from redis.exceptions import RedisError
from sqlalchemy.dialects.postgresql import insert

from crm.identity.v1 import events_pb2
from crm_common.access import require, require_tenant
from crm_common.auth import Principal
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import InvalidArgument, NotFound
from crm_common.events.backoff import sleep_unless_stopped
from crm_common.events.envelope import NewEvent
from crm_common.usage import usage_counter_key
from identity.adapters.orm import TenantRow
from identity.adapters.orm_access import ApiKeyRow, UsageDayRow
from identity.domain import events
from identity.service_layer.access_resolution import access_for
from identity.service_layer.api_keys import GATEWAY_KINDS
from identity.service_layer.deps import IdentityDeps

log = logging.getLogger("crm.identity.usage")

MODULE = "usage"
USER_TOKENS = uuid.UUID(int=0)  # key_id of calls made with user tokens
DEFAULT_DAYS = 30
MAX_DAYS = 400
TENANTS_PER_BATCH = 200
Counts = dict[tuple[date, uuid.UUID], int]


@dataclass(frozen=True)
class UsageReport:
    items: list[tuple[date, uuid.UUID, int]]  # (day, key id or USER_TOKENS, calls)
    total: int
    daily_limit: int


def counter_key(tenant_id: uuid.UUID, day: date, key_id: uuid.UUID | None = None) -> str:
    """The counters the gateway increments (crm_common.usage names them for both)."""
    return usage_counter_key(str(tenant_id), day, str(key_id) if key_id else "")


async def get_usage(
    principal: Principal,
    deps: IdentityDeps,
    *,
    from_date: date | None,
    to_date: date | None,
    key_id: uuid.UUID | None,
) -> UsageReport:
    today = utcnow().date()
    to_date = to_date or today
    from_date = from_date or to_date - timedelta(days=DEFAULT_DAYS)
    if from_date > to_date or (to_date - from_date).days >= MAX_DAYS:
        raise InvalidArgument.for_field("from_date", f"must be <= to_date, within {MAX_DAYS} days")
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "view")
        tenant = await _tenant(uow, uuid.UUID(ctx.tenant_id))
        stmt = sa.select(UsageDayRow).where(
            UsageDayRow.tenant_id == tenant.id, UsageDayRow.day.between(from_date, to_date)
        )
        if key_id is not None:
            stmt = stmt.where(UsageDayRow.key_id == key_id)
        counts: Counts = {(r.day, r.key_id): r.calls for r in await uow.session.scalars(stmt)}
        if from_date <= today <= to_date:
            keys = {tenant.id: await _key_ids(uow, tenant.id)}
            try:
                live = await _live_counts(deps, keys, today)
            except (RedisError, OSError) as exc:
                log.warning("usage report without today's live counters: %s", exc)
                live = []
            for _, day, kid, calls in live:
                counts[(day, kid)] = max(counts.get((day, kid), 0), calls)
    items = sorted(
        (day, kid, calls)
        for (day, kid), calls in counts.items()
        if calls and (key_id is None or kid == key_id)
    )
    return UsageReport(items, sum(c for _, _, c in items), tenant.daily_api_limit)


async def get_usage_limits(principal: Principal, deps: IdentityDeps) -> int:
    """Admins (``usage:view``), or the gateway for the tenant it meters."""
    async with deps.uow() as uow:
        if principal.kind in GATEWAY_KINDS:
            return (await _tenant(uow, uuid.UUID(require_tenant(principal)))).daily_api_limit
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "view")
        return (await _tenant(uow, uuid.UUID(ctx.tenant_id))).daily_api_limit


async def set_usage_limits(daily_limit: int, principal: Principal, deps: IdentityDeps) -> int:
    if daily_limit < 0:
        raise InvalidArgument.for_field("daily_limit", "must be 0 (unlimited) or more")
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "edit")
        tenant = await _tenant(uow, uuid.UUID(ctx.tenant_id))
        before, tenant.daily_api_limit = tenant.daily_api_limit, daily_limit
        payload = events_pb2.AccessChanged(
            kind="usage_limits",
            record_id=str(tenant.id),
            change="updated",
            detail=f"daily API limit {before} -> {daily_limit} (0 = unlimited)",
        )
        subject_id = str(tenant.id)
        uow.record(
            NewEvent(events.ACCESS_CHANGED, subject_id, subject_id, payload, principal.user_id)
        )
        await uow.commit()
    return daily_limit


async def flush_usage(deps: IdentityDeps, today: date | None = None) -> int:
    """Copies today's and yesterday's Redis counters into usage_daily; rows written.
    Rows go in a fixed order, so concurrent replicas never deadlock."""
    today = today or utcnow().date()
    async with deps.uow() as uow:
        tenant_ids = await uow.session.scalars(sa.select(TenantRow.id).order_by(TenantRow.id))
        keys: dict[uuid.UUID, list[uuid.UUID]] = {t: [] for t in tenant_ids}
        pairs = sa.select(ApiKeyRow.tenant_id, ApiKeyRow.id).order_by(ApiKeyRow.id)
        for tenant_id, key_id in await uow.session.execute(pairs):
            keys.setdefault(tenant_id, []).append(key_id)
    rows = [
        {"tenant_id": t, "day": d, "key_id": k, "calls": calls}
        for day in (today - timedelta(days=1), today)
        for t, d, k, calls in await _live_counts(deps, keys, day)
    ]
    async with deps.uow() as uow:
        for start in range(0, len(rows), 1000):
            stmt = insert(UsageDayRow).values(rows[start : start + 1000])
            greatest = sa.func.greatest(UsageDayRow.calls, stmt.excluded.calls)
            await uow.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["tenant_id", "day", "key_id"], set_={"calls": greatest}
                )
            )
        await uow.commit()
    return len(rows)


def flush_job(
    deps: IdentityDeps, interval: float = 60.0
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """A background job for ``ServiceParts.jobs``: flush, then every ``interval`` s."""

    async def run(stop: asyncio.Event) -> None:
        while True:  # a round even when stopping: the last counters are kept too
            try:
                await flush_usage(deps)
            except Exception:  # a failed round is retried at the next one
                log.exception("usage flush failed")
            if await sleep_unless_stopped(stop, interval):
                return

    return run


async def _live_counts(
    deps: IdentityDeps, keys: dict[uuid.UUID, list[uuid.UUID]], day: date
) -> list[tuple[uuid.UUID, date, uuid.UUID, int]]:
    """Non-zero live counters as (tenant, day, key id, calls); one MGET per tenant, so
    its total and its keys' counters are read at one instant."""
    out: list[tuple[uuid.UUID, date, uuid.UUID, int]] = []
    tenants = list(keys)
    for start in range(0, len(tenants), TENANTS_PER_BATCH):
        batch = tenants[start : start + TENANTS_PER_BATCH]
        pipe = deps.redis.pipeline(transaction=False)
        for t in batch:
            pipe.mget([counter_key(t, day), *(counter_key(t, day, k) for k in keys[t])])
        for t, values in zip(batch, await pipe.execute(), strict=True):
            out += _split(t, day, keys[t], values)
    return out


def _split(
    tenant_id: uuid.UUID,
    day: date,
    key_ids: Sequence[uuid.UUID],
    values: Sequence[bytes | str | None],
) -> list[tuple[uuid.UUID, date, uuid.UUID, int]]:
    total, *per_key = (int(v) if v is not None else 0 for v in values)
    rows = [(tenant_id, day, k, n) for k, n in zip(key_ids, per_key, strict=True) if n]
    users = total - sum(per_key)
    return rows + ([(tenant_id, day, USER_TOKENS, users)] if users > 0 else [])


async def _key_ids(uow: UnitOfWork, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        await uow.session.scalars(sa.select(ApiKeyRow.id).where(ApiKeyRow.tenant_id == tenant_id))
    )


async def _tenant(uow: UnitOfWork, tenant_id: uuid.UUID) -> TenantRow:
    tenant = await uow.session.get(TenantRow, tenant_id)
    if tenant is None:
        raise NotFound("tenant not found")
    return tenant
