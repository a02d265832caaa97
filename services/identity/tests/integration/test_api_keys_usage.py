"""API keys and usage against PostgreSQL and Redis: secrets shown once and stored
hashed, verification, revocation and expiry, tenancy, counters flushed idempotently,
daily limits."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from crm.identity.v1 import api_keys_pb2 as pb
from crm_common.auth import Principal, reset_current_principal, set_current_principal
from crm_common.db import utcnow
from crm_common.errors import InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from crm_common.events.tables import OutboxMessage
from identity.adapters.orm_access import ApiKeyRow, ProfileRow, UsageDayRow
from identity.domain import events
from identity.domain.commands import CreateTenant
from identity.entrypoints.api_keys_server import ApiKeyServicer
from identity.service_layer import api_keys, tenants, usage
from identity.service_layer.access_resolution import access_for
from identity.service_layer.api_keys import CreateApiKey
from identity.service_layer.deps import IdentityDeps

GATEWAY = Principal(kind="service")
NO_CONTEXT: Any = None  # the servicer never reads its gRPC context


async def new_admin(deps: IdentityDeps) -> Principal:
    slug = f"k-{uuid.uuid4().hex[:10]}"
    cmd = CreateTenant("K", slug, f"a@{slug}.example", "correct-horse-battery")
    tenant, admin_id = await tenants.create_tenant(cmd, deps)
    return Principal(kind="user", tenant_id=str(tenant.id), user_id=str(admin_id))


async def profile_id(deps: IdentityDeps, admin: Principal, name: str) -> uuid.UUID:
    async with deps.uow() as uow:
        found = await uow.session.scalar(
            sa.select(ProfileRow.id).where(
                ProfileRow.tenant_id == uuid.UUID(admin.tenant_id), ProfileRow.name == name
            )
        )
    assert found is not None
    return found


def key_principal(key: ApiKeyRow) -> Principal:
    return Principal(
        kind="api_key", tenant_id=str(key.tenant_id), extra={"api_key_id": str(key.id)}
    )


async def make_key(
    deps: IdentityDeps,
    admin: Principal,
    *,
    profile: uuid.UUID | None = None,
    expires_at: datetime | None = None,
    daily_limit: int = 0,
) -> tuple[ApiKeyRow, str]:
    profile = profile or await profile_id(deps, admin, "Read Only")
    cmd = CreateApiKey("ci", profile, expires_at, daily_limit)
    return await api_keys.create_api_key(cmd, admin, deps)


async def test_the_secret_is_returned_once_and_only_its_hash_is_stored(deps: IdentityDeps) -> None:
    admin = await new_admin(deps)
    key, secret = await make_key(deps, admin, daily_limit=500)
    assert secret.startswith("crm_") and len(secret) > 40
    async with deps.uow() as uow:
        row = await uow.session.get(ApiKeyRow, key.id)
        changes = await uow.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.subject == events.ACCESS_CHANGED,
                OutboxMessage.tenant_id == admin.tenant_id,
            )
        )
    assert row is not None and row.key_hash == hashlib.sha256(secret.encode()).digest()
    assert row.prefix == secret[:12] and secret not in (row.name, row.prefix)
    assert changes == 1  # AccessChanged "created"
    fetched = await api_keys.get_api_key(key.id, admin, deps)
    assert not hasattr(fetched, "secret") and fetched.daily_limit == 500
    listed = await api_keys.list_api_keys(admin, deps, limit=10, cursor=None)
    assert [k.id for k in listed.items] == [key.id]


async def test_verify_answers_the_key_principal_and_touches_last_used_rarely(
    deps: IdentityDeps,
) -> None:
    admin = await new_admin(deps)
    await usage.set_usage_limits(1000, admin, deps)
    key, secret = await make_key(deps, admin, daily_limit=50)
    verified = await api_keys.verify_api_key(secret, GATEWAY, deps)
    assert (verified.key_id, verified.tenant_id) == (str(key.id), admin.tenant_id)
    assert (verified.key_daily_limit, verified.tenant_daily_limit) == (50, 1000)
    first = (await api_keys.get_api_key(key.id, admin, deps)).last_used_at
    await api_keys.verify_api_key(secret, Principal(kind="platform"), deps)
    assert first is not None
    assert (await api_keys.get_api_key(key.id, admin, deps)).last_used_at == first
    with pytest.raises(PermissionDenied):  # only the gateway asks
        await api_keys.verify_api_key(secret, admin, deps)
    with pytest.raises(Unauthenticated):
        await api_keys.verify_api_key(secret[:-1] + "x", GATEWAY, deps)
    async with deps.uow() as uow:
        ctx = await access_for(uow, key_principal(key))
    assert ctx.all_records and "leads" in ctx.permissions and "api_keys" not in ctx.permissions


async def test_revoked_and_expired_keys_fail_verify_and_access(deps: IdentityDeps) -> None:
    admin = await new_admin(deps)
    revoked, revoked_secret = await make_key(deps, admin)
    expired, expired_secret = await make_key(deps, admin, expires_at=utcnow() + timedelta(hours=1))
    again = await api_keys.revoke_api_key(revoked.id, admin, deps)
    assert again.revoked_at is not None
    assert (await api_keys.revoke_api_key(revoked.id, admin, deps)).revoked_at == again.revoked_at
    async with deps.uow() as uow:
        await uow.session.execute(
            sa.update(ApiKeyRow)
            .where(ApiKeyRow.id == expired.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await uow.commit()
    for key, secret in ((revoked, revoked_secret), (expired, expired_secret)):
        with pytest.raises(Unauthenticated):
            await api_keys.verify_api_key(secret, GATEWAY, deps)
        async with deps.uow() as uow:
            with pytest.raises(Unauthenticated):
                await access_for(uow, key_principal(key))
    with pytest.raises(InvalidArgument):  # expiry in the past at creation
        await make_key(deps, admin, expires_at=utcnow() - timedelta(minutes=1))


async def test_another_tenant_cannot_see_or_revoke_a_key(deps: IdentityDeps) -> None:
    owner, other = await new_admin(deps), await new_admin(deps)
    key, _ = await make_key(deps, owner)
    with pytest.raises(NotFound):
        await api_keys.get_api_key(key.id, other, deps)
    with pytest.raises(NotFound):
        await api_keys.revoke_api_key(key.id, other, deps)
    assert (await api_keys.list_api_keys(other, deps, limit=10, cursor=None)).items == []
    with pytest.raises(InvalidArgument):  # the other tenant's profile is no such profile
        await make_key(deps, other, profile=key.profile_id)


async def test_keys_cannot_grant_more_than_their_creator_has(deps: IdentityDeps) -> None:
    admin = await new_admin(deps)
    read_only, _ = await make_key(deps, admin)
    with pytest.raises(PermissionDenied):  # Read Only has no api_keys:create
        await make_key(deps, key_principal(read_only))
    async with deps.uow() as uow:
        minter = ProfileRow(
            id=uuid.uuid4(),
            tenant_id=uuid.UUID(admin.tenant_id),
            name="Key minter",
            permissions={"api_keys": ["view", "create"]},
        )
        uow.session.add(minter)
        await uow.commit()
    minting, _ = await make_key(deps, admin, profile=minter.id)
    administrator = await profile_id(deps, admin, "Administrator")
    with pytest.raises(PermissionDenied):
        await make_key(deps, key_principal(minting), profile=administrator)
    same, _ = await make_key(deps, key_principal(minting), profile=minter.id)
    assert same.created_by is None


async def test_flush_copies_redis_counters_idempotently(deps: IdentityDeps) -> None:
    admin = await new_admin(deps)
    tenant_id = uuid.UUID(admin.tenant_id)
    key, _ = await make_key(deps, admin)
    today = utcnow().date()
    yesterday = today - timedelta(days=1)
    counters = {
        usage.counter_key(tenant_id, today): 10,
        usage.counter_key(tenant_id, today, key.id): 4,
        usage.counter_key(tenant_id, yesterday): 7,
    }
    await deps.redis.mset(counters)
    for _ in range(2):
        await usage.flush_usage(deps, today)
    assert await stored(deps, tenant_id) == {
        (today, key.id): 4,
        (today, usage.USER_TOKENS): 6,
        (yesterday, usage.USER_TOKENS): 7,
    }
    await deps.redis.set(usage.counter_key(tenant_id, today), 12)  # live, not flushed yet
    report = await usage.get_usage(admin, deps, from_date=yesterday, to_date=None, key_id=None)
    assert report.total == 19 and (today, usage.USER_TOKENS, 8) in report.items
    only_key = await usage.get_usage(admin, deps, from_date=None, to_date=None, key_id=key.id)
    assert only_key.items == [(today, key.id, 4)] and only_key.total == 4
    stop = asyncio.Event()
    stop.set()  # one round, then the job sees the stop
    await usage.flush_job(deps, interval=60)(stop)
    assert (await stored(deps, tenant_id))[(today, usage.USER_TOKENS)] == 8
    await deps.redis.delete(*counters)


async def test_limits_round_trip_and_need_usage_rights(deps: IdentityDeps) -> None:
    admin = await new_admin(deps)
    assert await usage.get_usage_limits(admin, deps) == 0
    assert await usage.set_usage_limits(2000, admin, deps) == 2000
    assert await usage.get_usage_limits(admin, deps) == 2000
    gateway = Principal(kind="service", tenant_id=admin.tenant_id)
    assert await usage.get_usage_limits(gateway, deps) == 2000
    with pytest.raises(InvalidArgument):
        await usage.set_usage_limits(-1, admin, deps)
    key, _ = await make_key(deps, admin)
    with pytest.raises(PermissionDenied):
        await usage.set_usage_limits(1, key_principal(key), deps)
    with pytest.raises(PermissionDenied):
        await usage.get_usage(key_principal(key), deps, from_date=None, to_date=None, key_id=None)


async def stored(deps: IdentityDeps, tenant_id: uuid.UUID) -> dict[tuple[object, uuid.UUID], int]:
    async with deps.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(UsageDayRow).where(UsageDayRow.tenant_id == tenant_id)
        )
        return {(r.day, r.key_id): r.calls for r in rows}


async def test_the_servicer_maps_keys_and_usage(deps: IdentityDeps) -> None:
    admin = await new_admin(deps)
    servicer = ApiKeyServicer(deps)
    read_only = str(await profile_id(deps, admin, "Read Only"))
    token = set_current_principal(admin)
    try:
        created = await servicer.CreateApiKey(
            pb.CreateApiKeyRequest(name="ci", profile_id=read_only, daily_limit=9),
            None,
        )
        revoked = await servicer.RevokeApiKey(pb.GetApiKeyRequest(id=created.key.id), NO_CONTEXT)
        report = await servicer.GetUsage(
            pb.GetUsageRequest(from_date=f"{utcnow().date() - timedelta(days=3)}"), NO_CONTEXT
        )
        with pytest.raises(InvalidArgument):
            await servicer.GetUsage(pb.GetUsageRequest(to_date="14/11/2023"), NO_CONTEXT)
    finally:
        reset_current_principal(token)
    assert created.secret.startswith(created.key.prefix) and created.key.active
    assert created.key.daily_limit == 9 and created.key.created_by == admin.user_id
    assert not revoked.active and revoked.HasField("revoked_at")
    assert report.total == 0 and list(report.items) == []
