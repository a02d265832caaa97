"""Login, refresh-token rotation with reuse detection, and logout.

A session is a family of refresh tokens: each refresh uses up one token and
issues the next. Presenting a used token means it leaked, so the whole family
is revoked, in the database (no more refreshes) and in Redis (its access
tokens stop working at the gateway within a request).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from crm.identity.v1 import events_pb2, identity_pb2
from crm_common import revocation
from crm_common.auth import Principal
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import PermissionDenied, Unauthenticated
from crm_common.events.envelope import NewEvent
from identity.adapters.orm import RefreshTokenRow, TenantRow, UserRow
from identity.adapters.tokens import hash_refresh_token, new_refresh_token
from identity.domain import events, rules
from identity.domain.commands import IssueToken, Logout, RefreshToken
from identity.service_layer.deps import IdentityDeps

INVALID_LOGIN = "invalid tenant, e-mail or password"


async def issue_token(cmd: IssueToken, deps: IdentityDeps) -> identity_pb2.TokenPair:
    email = rules.normalize_email(cmd.email)
    await deps.throttle.check(cmd.tenant_slug, email)
    async with deps.uow() as uow:
        tenant, user = await _find_login(uow, cmd.tenant_slug, email)
        password_ok = await deps.passwords.verify(
            user.password_hash if user else None, cmd.password
        )
        if tenant is None or user is None or not password_ok or not user.active:
            await deps.throttle.failed(cmd.tenant_slug, email)
            if tenant is not None:
                uow.record(
                    _auth_event(events.LOGIN_FAILED, tenant.id, user, cmd, reason="bad credentials")
                )
                await uow.commit()
            raise Unauthenticated(INVALID_LOGIN)
        await _record_login(uow, deps, user, cmd.password)
        pair = await _start_session(uow, deps, tenant, user)
        uow.record(_auth_event(events.LOGIN_SUCCEEDED, tenant.id, user, cmd))
        await uow.commit()
    await deps.throttle.succeeded(cmd.tenant_slug, email)
    return pair


async def refresh_token(cmd: RefreshToken, deps: IdentityDeps) -> identity_pb2.TokenPair:
    async with deps.uow() as uow:
        row = await uow.session.scalar(
            sa.select(RefreshTokenRow)
            .where(RefreshTokenRow.token_hash == hash_refresh_token(cmd.refresh_token))
            .with_for_update()
        )
        if row is None or row.expires_at <= utcnow():
            raise Unauthenticated("refresh token invalid or expired")
        if row.used_at is not None or row.revoked_at is not None:
            await _revoke_family(uow, deps, row.family_id)
            uow.record(_reuse_event(row, cmd.client_ip))
            await uow.commit()
            raise Unauthenticated("refresh token already used; the session is revoked")
        user = await uow.session.get(UserRow, row.user_id)
        tenant = await uow.session.get(TenantRow, row.tenant_id)
        if user is None or tenant is None or not user.active:
            raise Unauthenticated("user disabled")
        row.used_at = utcnow()
        pair = await _next_token(uow, deps, tenant, user, row.family_id)
        await uow.commit()
    return pair


async def logout(cmd: Logout, principal: Principal, deps: IdentityDeps) -> None:
    if not principal.user_id:
        raise PermissionDenied("an API key has no session to end; revoke the key instead")
    families = {uuid.UUID(principal.session_id)} if principal.session_id else set()
    async with deps.uow() as uow:
        if cmd.refresh_token:
            row = await uow.session.scalar(
                sa.select(RefreshTokenRow).where(
                    RefreshTokenRow.token_hash == hash_refresh_token(cmd.refresh_token),
                    RefreshTokenRow.user_id == uuid.UUID(principal.user_id),
                )
            )
            if row is not None:
                families.add(row.family_id)
        for family_id in families:
            await _revoke_family(uow, deps, family_id)
        payload = events_pb2.AuthEvent(user_id=principal.user_id, session_id=principal.session_id)
        uow.record(
            NewEvent(
                events.LOGOUT,
                principal.tenant_id,
                principal.user_id,
                payload,
                actor_id=principal.user_id,
            )
        )
        await uow.commit()


async def revoke_all_sessions(uow: UnitOfWork, deps: IdentityDeps, user_id: uuid.UUID) -> None:
    """Disabled user or new password: no refresh works, no access token verifies."""
    await uow.session.execute(
        sa.update(RefreshTokenRow)
        .where(RefreshTokenRow.user_id == user_id, RefreshTokenRow.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    issued_before = int(utcnow().timestamp())
    await revocation.revoke_user_tokens(
        deps.redis, str(user_id), issued_before, deps.access_tokens.ttl_seconds + 60
    )


async def _record_login(uow: UnitOfWork, deps: IdentityDeps, user: UserRow, password: str) -> None:
    """A login is not an edit: a plain UPDATE leaves ``version`` alone, so a client
    holding the user's ETag is not refused because the user signed in."""
    values: dict[str, object] = {"last_login_at": utcnow()}
    if deps.passwords.needs_rehash(user.password_hash):
        values["password_hash"] = await deps.passwords.hash(password)
    await uow.session.execute(sa.update(UserRow).where(UserRow.id == user.id).values(**values))


async def _find_login(
    uow: UnitOfWork, slug: str, email: str
) -> tuple[TenantRow | None, UserRow | None]:
    tenant = await uow.session.scalar(sa.select(TenantRow).where(TenantRow.slug == slug))
    if tenant is None:
        return None, None
    user = await uow.session.scalar(
        sa.select(UserRow).where(UserRow.tenant_id == tenant.id, UserRow.email == email)
    )
    return tenant, user


async def _start_session(
    uow: UnitOfWork, deps: IdentityDeps, tenant: TenantRow, user: UserRow
) -> identity_pb2.TokenPair:
    return await _next_token(uow, deps, tenant, user, uuid.uuid4())


async def _next_token(
    uow: UnitOfWork, deps: IdentityDeps, tenant: TenantRow, user: UserRow, family_id: uuid.UUID
) -> identity_pb2.TokenPair:
    token, token_hash = new_refresh_token()
    uow.session.add(
        RefreshTokenRow(
            tenant_id=tenant.id,
            user_id=user.id,
            family_id=family_id,
            token_hash=token_hash,
            expires_at=utcnow() + timedelta(seconds=deps.settings.refresh_token_ttl_seconds),
        )
    )
    access = await deps.access_tokens.issue(
        user_id=user.id,
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        session_id=family_id,
        roles=list(user.roles),
        permissions=rules.permissions_for(list(user.roles)),
    )
    return identity_pb2.TokenPair(
        access_token=access,
        refresh_token=token,
        token_type="bearer",  # noqa: S106 - the OAuth token type, not a secret
        expires_in=deps.access_tokens.ttl_seconds,
    )


async def _revoke_family(uow: UnitOfWork, deps: IdentityDeps, family_id: uuid.UUID) -> None:
    await uow.session.execute(
        sa.update(RefreshTokenRow)
        .where(RefreshTokenRow.family_id == family_id, RefreshTokenRow.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await revocation.revoke_session(deps.redis, str(family_id), deps.access_tokens.ttl_seconds + 60)


def _auth_event(
    subject: str, tenant_id: uuid.UUID, user: UserRow | None, cmd: IssueToken, *, reason: str = ""
) -> NewEvent:
    user_id = str(user.id) if user else ""
    email = rules.normalize_email(cmd.email)
    payload = events_pb2.AuthEvent(
        user_id=user_id,
        email=email,
        client_ip=cmd.client_ip,
        user_agent=cmd.user_agent,
        reason=reason,
    )
    return NewEvent(subject, str(tenant_id), user_id or email, payload, actor_id=user_id)


def _reuse_event(row: RefreshTokenRow, client_ip: str) -> NewEvent:
    payload = events_pb2.AuthEvent(
        user_id=str(row.user_id),
        client_ip=client_ip,
        session_id=str(row.family_id),
        reason="refresh token reuse",
    )
    return NewEvent(events.REFRESH_REUSE_DETECTED, str(row.tenant_id), str(row.user_id), payload)
