"""Users of a tenant: create, read, list, update, disable.

Every query starts from the caller's tenant, so an id from another tenant is
simply not found.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm.identity.v1 import events_pb2
from crm_common.access import require, require_tenant
from crm_common.auth import Principal
from crm_common.db import UnitOfWork
from crm_common.errors import AlreadyExists, InvalidArgument, NotFound, VersionConflict
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page, paginate
from identity.adapters.orm import TenantRow, UserRow
from identity.domain import events, rules
from identity.domain.commands import UPDATABLE_USER_FIELDS, CreateUser, UpdateUser
from identity.service_layer.deps import IdentityDeps
from identity.service_layer.sessions import revoke_all_sessions

MODULE = "users"


async def create_user(cmd: CreateUser, principal: Principal, deps: IdentityDeps) -> UserRow:
    tenant_id = uuid.UUID(require_tenant(principal))
    require(principal, MODULE, "create")
    _validate_new(cmd, deps.settings.password_min_length)
    user = UserRow(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        email=rules.normalize_email(cmd.email),
        password_hash=await deps.passwords.hash(cmd.password),
        first_name=cmd.first_name.strip(),
        last_name=cmd.last_name.strip(),
        roles=list(cmd.roles),
        timezone=cmd.timezone,
        language=cmd.language,
        created_by=_actor(principal),
        updated_by=_actor(principal),
    )
    async with deps.uow() as uow:
        uow.session.add(user)
        uow.record(user_event(events.USER_CREATED, user, principal.user_id, []))
        await _commit_unique_email(uow, user.email)
    return user


async def get_user(user_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> UserRow:
    require(principal, MODULE, "view")
    async with deps.uow() as uow:
        return await _load(uow, principal, user_id)


async def list_users(
    principal: Principal,
    deps: IdentityDeps,
    *,
    limit: int,
    cursor: str | None,
    include_inactive: bool,
) -> Page[UserRow]:
    require(principal, MODULE, "view")
    stmt = sa.select(UserRow).where(
        UserRow.tenant_id == uuid.UUID(principal.tenant_id), UserRow.deleted_at.is_(None)
    )
    if not include_inactive:
        stmt = stmt.where(UserRow.active.is_(True))
    async with deps.uow() as uow:
        return await paginate(
            uow.session, stmt, (UserRow.created_at, UserRow.id), limit=limit, cursor=cursor
        )


async def get_me(principal: Principal, deps: IdentityDeps) -> tuple[UserRow, TenantRow]:
    async with deps.uow() as uow:
        user = await _load(uow, principal, uuid.UUID(principal.user_id))
        tenant = await uow.session.get(TenantRow, user.tenant_id)
        if tenant is None:
            raise NotFound("tenant not found")
        return user, tenant


async def update_user(cmd: UpdateUser, principal: Principal, deps: IdentityDeps) -> UserRow:
    require(principal, MODULE, "edit")
    changes = dict(cmd.changes)
    _validate_changes(changes, deps.settings.password_min_length)
    if "password" in changes:
        changes["password_hash"] = await deps.passwords.hash(str(changes.pop("password")))
    async with deps.uow() as uow:
        user = await _load(uow, principal, cmd.user_id)
        if cmd.expected_version and cmd.expected_version != user.version:
            raise VersionConflict(f"user is at version {user.version}, not {cmd.expected_version}")
        for name, value in changes.items():
            setattr(user, name, value)
        user.updated_by = _actor(principal)
        if "password_hash" in changes or changes.get("active") is False:
            await revoke_all_sessions(uow, deps, user.id)
        subject = events.USER_DISABLED if changes.get("active") is False else events.USER_UPDATED
        uow.record(user_event(subject, user, principal.user_id, sorted(cmd.changes)))
        await _commit_unique_email(uow, user.email)
    return user


async def disable_user(user_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> UserRow:
    return await update_user(UpdateUser(user_id, {"active": False}), principal, deps)


def user_event(subject: str, user: UserRow, actor_id: str, changed: list[str]) -> NewEvent:
    payload = events_pb2.UserChanged(
        user_id=str(user.id),
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        active=user.active,
        roles=list(user.roles),
        changed_fields=changed,
    )
    return NewEvent(subject, str(user.tenant_id), str(user.id), payload, actor_id=actor_id)


async def _load(uow: UnitOfWork, principal: Principal, user_id: uuid.UUID) -> UserRow:
    tenant_id = uuid.UUID(require_tenant(principal))
    user = await uow.session.scalar(
        sa.select(UserRow).where(
            UserRow.id == user_id, UserRow.tenant_id == tenant_id, UserRow.deleted_at.is_(None)
        )
    )
    if user is None:
        raise NotFound("user not found")
    return user


async def _commit_unique_email(uow: UnitOfWork, email: str) -> None:
    try:
        await uow.commit()
    except IntegrityError as exc:
        raise AlreadyExists(f"a user with e-mail {email} exists", field="email") from exc
    except StaleDataError as exc:
        raise VersionConflict("user changed concurrently; read it again") from exc


def _validate_new(cmd: CreateUser, min_password: int) -> None:
    v = rules.Violations()
    rules.check_email(v, "email", rules.normalize_email(cmd.email))
    rules.check_password(v, "password", cmd.password, min_password)
    rules.check_name(v, "first_name", cmd.first_name, required=False)
    rules.check_name(v, "last_name", cmd.last_name, required=False)
    rules.check_roles(v, list(cmd.roles))
    rules.check_timezone(v, "timezone", cmd.timezone)
    rules.check_language(v, "language", cmd.language)
    v.raise_if_any()


def _validate_changes(changes: dict[str, object], min_password: int) -> None:
    unknown = set(changes) - UPDATABLE_USER_FIELDS
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed")
    v = rules.Violations()
    if "email" in changes:
        changes["email"] = rules.normalize_email(str(changes["email"]))
        rules.check_email(v, "email", str(changes["email"]))
    if "password" in changes:
        rules.check_password(v, "password", str(changes["password"]), min_password)
    for name in ("first_name", "last_name"):
        if name in changes:
            rules.check_name(v, name, str(changes[name]), required=False)
    if "roles" in changes:
        rules.check_roles(v, list(changes["roles"]))  # type: ignore[call-overload]
    if "timezone" in changes:
        rules.check_timezone(v, "timezone", str(changes["timezone"]))
    if "language" in changes:
        rules.check_language(v, "language", str(changes["language"]))
    v.raise_if_any()


def _actor(principal: Principal) -> uuid.UUID | None:
    return uuid.UUID(principal.user_id) if principal.user_id else None
