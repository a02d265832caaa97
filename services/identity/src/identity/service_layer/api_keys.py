"""API keys of service accounts: create (the secret is shown once), read, list,
revoke, and verify (the gateway's question "whose key is this?").

Only the SHA-256 of a secret and its first characters (``prefix``) are stored.
A key acts with one profile of its tenant and sees every record its profile
allows (``access_for`` resolves it); nobody may mint a key with more rights
than they have themselves.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from crm.identity.v1 import events_pb2
from crm_common.access import AccessContext, can, require
from crm_common.auth import Principal
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page, paginate
from identity.adapters.orm import TenantRow
from identity.adapters.orm_access import ApiKeyRow, ProfileRow
from identity.domain import events, rules
from identity.service_layer.access_resolution import access_for
from identity.service_layer.deps import IdentityDeps

MODULE = "api_keys"
SECRET_PREFIX = "crm_"  # noqa: S105 - a public marker that tells keys from JWTs
PREFIX_LENGTH = 12
MAX_SECRET_LENGTH = 128
LAST_USED_GRANULARITY = timedelta(minutes=1)  # at most one write per key per minute
GATEWAY_KINDS = ("service", "platform")


@dataclass(frozen=True)
class CreateApiKey:
    name: str
    profile_id: uuid.UUID
    expires_at: datetime | None = None
    daily_limit: int = 0


@dataclass(frozen=True)
class VerifiedKey:
    key_id: str
    tenant_id: str
    profile_id: str
    key_daily_limit: int
    tenant_daily_limit: int


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


async def create_api_key(
    cmd: CreateApiKey, principal: Principal, deps: IdentityDeps
) -> tuple[ApiKeyRow, str]:
    """The new key and its secret; the secret is never readable again."""
    _validate(cmd)
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "create")
        tenant_id = uuid.UUID(ctx.tenant_id)
        profile = await uow.session.scalar(
            sa.select(ProfileRow).where(
                ProfileRow.id == cmd.profile_id,
                ProfileRow.tenant_id == tenant_id,
                ProfileRow.deleted_at.is_(None),
            )
        )
        if profile is None:
            raise InvalidArgument.for_field("profile_id", "no such profile")
        _check_no_escalation(ctx, profile)
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        actor = uuid.UUID(principal.user_id) if principal.user_id else None
        key = ApiKeyRow(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            name=cmd.name.strip(),
            prefix=secret[:PREFIX_LENGTH],
            key_hash=hash_secret(secret),
            profile_id=profile.id,
            expires_at=cmd.expires_at,
            daily_limit=cmd.daily_limit,
            created_by=actor,
            updated_by=actor,
        )
        uow.session.add(key)
        _record(uow, key, principal, "created", f"{key.name} ({key.prefix}…), {profile.name}")
        await uow.commit()
    return key, secret


async def get_api_key(key_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> ApiKeyRow:
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "view")
        return await _load(uow, ctx, key_id)


async def list_api_keys(
    principal: Principal, deps: IdentityDeps, *, limit: int, cursor: str | None
) -> Page[ApiKeyRow]:
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "view")
        stmt = sa.select(ApiKeyRow).where(ApiKeyRow.tenant_id == uuid.UUID(ctx.tenant_id))
        order = (ApiKeyRow.created_at, ApiKeyRow.id)
        return await paginate(uow.session, stmt, order, limit=limit, cursor=cursor)


async def revoke_api_key(key_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> ApiKeyRow:
    """Idempotent: revoking a revoked key returns it unchanged (no second event)."""
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "delete")
        key = await _load(uow, ctx, key_id)
        if key.revoked_at is None:
            key.revoked_at = utcnow()
            key.updated_by = uuid.UUID(principal.user_id) if principal.user_id else None
            _record(uow, key, principal, "revoked", f"{key.name} ({key.prefix}…)")
            await uow.commit()
    return key


async def verify_api_key(secret: str, principal: Principal, deps: IdentityDeps) -> VerifiedKey:
    """For the gateway only. Unknown, revoked and expired keys all answer the same."""
    if principal.kind not in GATEWAY_KINDS:
        raise PermissionDenied("only the gateway verifies API keys")
    if not secret.startswith(SECRET_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        raise Unauthenticated("invalid API key")
    now = utcnow()
    async with deps.uow() as uow:
        found = (
            await uow.session.execute(
                sa.select(ApiKeyRow, TenantRow.daily_api_limit)
                .join(TenantRow, TenantRow.id == ApiKeyRow.tenant_id)
                .where(ApiKeyRow.key_hash == hash_secret(secret))
            )
        ).first()
        if found is None:
            raise Unauthenticated("invalid API key")
        key, tenant_limit = found
        if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
            raise Unauthenticated("invalid API key")
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_GRANULARITY:
            await _touch(uow, key.id, now)
    return VerifiedKey(
        str(key.id), str(key.tenant_id), str(key.profile_id), key.daily_limit, tenant_limit
    )


async def _touch(uow: UnitOfWork, key_id: uuid.UUID, now: datetime) -> None:
    """last_used_at, without a version bump; the condition lets one replica win."""
    await uow.session.execute(
        sa.update(ApiKeyRow)
        .where(
            ApiKeyRow.id == key_id,
            sa.or_(
                ApiKeyRow.last_used_at.is_(None),
                ApiKeyRow.last_used_at <= now - LAST_USED_GRANULARITY,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    await uow.commit()


async def _load(uow: UnitOfWork, ctx: AccessContext, key_id: uuid.UUID) -> ApiKeyRow:
    key = await uow.session.scalar(
        sa.select(ApiKeyRow).where(
            ApiKeyRow.id == key_id, ApiKeyRow.tenant_id == uuid.UUID(ctx.tenant_id)
        )
    )
    if key is None:
        raise NotFound("API key not found")
    return key


def _check_no_escalation(ctx: AccessContext, profile: ProfileRow) -> None:
    for module, actions in profile.permissions.items():
        for action in actions:
            if not can(ctx, module, action):
                raise PermissionDenied(
                    f"the profile grants {module}:{action}, which you do not have",
                    field="profile_id",
                )


def _record(
    uow: UnitOfWork, key: ApiKeyRow, principal: Principal, change: str, detail: str
) -> None:
    payload = events_pb2.AccessChanged(
        kind="api_key", record_id=str(key.id), change=change, detail=detail
    )
    event = NewEvent(
        events.ACCESS_CHANGED, str(key.tenant_id), str(key.id), payload, principal.user_id
    )
    uow.record(event)


def _validate(cmd: CreateApiKey) -> None:
    v = rules.Violations()
    rules.check_name(v, "name", cmd.name, required=True)
    if cmd.expires_at is not None and cmd.expires_at <= utcnow():
        v.add("expires_at", "must be in the future")
    if cmd.daily_limit < 0:
        v.add("daily_limit", "must be 0 (no limit of its own) or more")
    v.raise_if_any()
