"""Users of a tenant: create, read, list, update, disable.

Every query starts from the caller's tenant and the caller's access context:
another tenant's id, or a user the caller may not see, is simply not found.
A user record is "owned" by that user, so the roles hierarchy and sharing
rules decide who sees and edits whom (module ``users``).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm.identity.v1 import events_pb2
from crm_common.access import (
    AccessContext,
    check_writable_fields,
    hidden_fields,
    require,
    require_record_edit,
    visible_filter,
)
from crm_common.auth import Principal
from crm_common.db import UnitOfWork
from crm_common.errors import (
    AlreadyExists,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page, paginate
from identity.adapters.orm import TenantRow, UserRow
from identity.adapters.orm_access import ProfileRow, RoleRow
from identity.domain import events, rules, seeds, user_rules
from identity.domain.commands import CreateUser, UpdateUser
from identity.service_layer.access_resolution import access_for
from identity.service_layer.deps import IdentityDeps
from identity.service_layer.roles import lock_tree
from identity.service_layer.sessions import revoke_all_sessions

MODULE = "users"
ACCESS_FIELDS = frozenset({"role_id", "profile_ids", "active", "roles"})


@dataclass(frozen=True)
class VisibleUser:
    row: UserRow
    hidden: frozenset[str]


async def create_user(cmd: CreateUser, principal: Principal, deps: IdentityDeps) -> VisibleUser:
    user_rules.validate_new(cmd, deps.settings.password_min_length)
    password_hash = await deps.passwords.hash(cmd.password)
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "create")
        check_writable_fields(ctx, MODULE, cmd.given_fields())
        tenant_id = uuid.UUID(ctx.tenant_id)
        if cmd.role_id is not None:  # the role must not be deleted under us
            await lock_tree(uow, tenant_id)
        await _check_role_and_profiles(uow, tenant_id, cmd.role_id, cmd.profile_ids)
        user = UserRow(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            email=rules.normalize_email(cmd.email),
            password_hash=password_hash,
            first_name=cmd.first_name.strip(),
            last_name=cmd.last_name.strip(),
            roles=list(cmd.roles),
            timezone=cmd.timezone,
            language=cmd.language,
            role_id=cmd.role_id,
            profile_ids=cmd.profile_ids or [await _read_only_profile(uow, tenant_id)],
            phone=cmd.phone.strip(),
            title=cmd.title.strip(),
            created_by=_actor(principal),
            updated_by=_actor(principal),
        )
        uow.session.add(user)
        uow.record(user_event(events.USER_CREATED, user, principal.user_id, []))
        await _commit_unique_email(uow, user.email)
    return VisibleUser(user, hidden_fields(ctx, MODULE))


async def get_user(user_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> VisibleUser:
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "view")
        return VisibleUser(await _load(uow, ctx, user_id), hidden_fields(ctx, MODULE))


async def list_users(
    principal: Principal,
    deps: IdentityDeps,
    *,
    limit: int,
    cursor: str | None,
    include_inactive: bool,
) -> tuple[Page[UserRow], frozenset[str]]:
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "view")
        stmt = sa.select(UserRow).where(*_visible(ctx))
        if not include_inactive:
            stmt = stmt.where(UserRow.active.is_(True))
        page = await paginate(
            uow.session, stmt, (UserRow.created_at, UserRow.id), limit=limit, cursor=cursor
        )
        return page, hidden_fields(ctx, MODULE)


EXPORT_BATCH = 200  # the largest page paginate() serves


async def export_users(
    principal: Principal, deps: IdentityDeps, *, include_inactive: bool
) -> AsyncIterator[VisibleUser]:
    """Every visible user, a keyset page at a time (constant memory)."""
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "export")
    hidden = hidden_fields(ctx, MODULE)
    stmt = sa.select(UserRow).where(*_visible(ctx))
    if not include_inactive:
        stmt = stmt.where(UserRow.active.is_(True))
    cursor: str | None = None
    while True:
        async with deps.uow() as uow:
            page = await paginate(
                uow.session,
                stmt,
                (UserRow.created_at, UserRow.id),
                limit=EXPORT_BATCH,
                cursor=cursor,
            )
        for row in page.items:
            yield VisibleUser(row, hidden)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


async def get_me(
    principal: Principal, deps: IdentityDeps
) -> tuple[VisibleUser, TenantRow, AccessContext]:
    if not principal.user_id:
        raise PermissionDenied("an API key is not a user; it has no profile page")
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        user = await _load(uow, ctx, uuid.UUID(principal.user_id))
        tenant = await uow.session.get(TenantRow, user.tenant_id)
        if tenant is None:
            raise NotFound("tenant not found")
        return VisibleUser(user, hidden_fields(ctx, MODULE)), tenant, ctx


async def update_user(cmd: UpdateUser, principal: Principal, deps: IdentityDeps) -> VisibleUser:
    changes = dict(cmd.changes)
    user_rules.validate_changes(changes, deps.settings.password_min_length)
    if "password" in changes:
        changes["password_hash"] = await deps.passwords.hash(str(changes.pop("password")))
    async with deps.uow() as uow:
        ctx = await access_for(uow, principal)
        require(ctx, MODULE, "delete" if changes == {"active": False} else "edit")
        user = await _load(uow, ctx, cmd.user_id)
        require_record_edit(ctx, MODULE, str(user.id))
        check_writable_fields(ctx, MODULE, cmd.changes)
        role_id = changes.get("role_id")
        profile_ids = changes.get("profile_ids")
        if isinstance(role_id, uuid.UUID):  # the role must not be deleted under us
            await lock_tree(uow, user.tenant_id)
        await _check_role_and_profiles(
            uow,
            user.tenant_id,
            role_id if isinstance(role_id, uuid.UUID) else None,
            list(profile_ids) if isinstance(profile_ids, list) else [],
        )
        if cmd.expected_version and cmd.expected_version != user.version:
            raise VersionConflict(f"user is at version {user.version}, not {cmd.expected_version}")
        _apply(user, changes, principal)
        if "password_hash" in changes or changes.get("active") is False:
            await revoke_all_sessions(uow, deps, user.id)
        _record_update(uow, user, principal, sorted(cmd.changes))
        await _commit_unique_email(uow, user.email)
    return VisibleUser(user, hidden_fields(ctx, MODULE))


async def disable_user(user_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> VisibleUser:
    return await update_user(UpdateUser(user_id, {"active": False}), principal, deps)


def user_event(subject: str, user: UserRow, actor_id: str, changed: list[str]) -> NewEvent:
    """The event leaves out contact details (phone): consumers that need them ask
    identity with the reader's own access context, so field rules hold there too."""
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


def _record_update(
    uow: UnitOfWork, user: UserRow, principal: Principal, changed: list[str]
) -> None:
    subject = (
        events.USER_DISABLED if "active" in changed and not user.active else events.USER_UPDATED
    )
    uow.record(user_event(subject, user, principal.user_id, changed))
    access_changes = sorted(ACCESS_FIELDS & set(changed))
    if access_changes:
        payload = events_pb2.AccessChanged(
            kind="user",
            record_id=str(user.id),
            change="updated",
            detail=f"{user.email}: {', '.join(access_changes)} changed",
        )
        uow.record(
            NewEvent(
                events.ACCESS_CHANGED,
                str(user.tenant_id),
                str(user.id),
                payload,
                actor_id=principal.user_id,
            )
        )


def _apply(user: UserRow, changes: dict[str, object], principal: Principal) -> None:
    for name, value in changes.items():
        setattr(user, name, value)
    user.updated_by = _actor(principal)


def _visible(ctx: AccessContext) -> list[sa.ColumnElement[bool]]:
    return [
        UserRow.tenant_id == uuid.UUID(ctx.tenant_id),
        UserRow.deleted_at.is_(None),
        visible_filter(ctx, MODULE, UserRow.id),
    ]


async def _load(uow: UnitOfWork, ctx: AccessContext, user_id: uuid.UUID) -> UserRow:
    user = await uow.session.scalar(sa.select(UserRow).where(UserRow.id == user_id, *_visible(ctx)))
    if user is None:
        raise NotFound("user not found")
    return user


async def _check_role_and_profiles(
    uow: UnitOfWork, tenant_id: uuid.UUID, role_id: uuid.UUID | None, profile_ids: list[uuid.UUID]
) -> None:
    if role_id is not None and not await uow.session.scalar(
        sa.select(RoleRow.id).where(
            RoleRow.id == role_id, RoleRow.tenant_id == tenant_id, RoleRow.deleted_at.is_(None)
        )
    ):
        raise InvalidArgument.for_field("role_id", "no such role")
    if profile_ids:
        found = set(
            await uow.session.scalars(
                sa.select(ProfileRow.id).where(
                    ProfileRow.id.in_(profile_ids),
                    ProfileRow.tenant_id == tenant_id,
                    ProfileRow.deleted_at.is_(None),
                )
            )
        )
        if found != set(profile_ids):
            raise InvalidArgument.for_field("profile_ids", "no such profile")


async def _read_only_profile(uow: UnitOfWork, tenant_id: uuid.UUID) -> uuid.UUID:
    profile_id = await uow.session.scalar(
        sa.select(ProfileRow.id).where(
            ProfileRow.tenant_id == tenant_id, ProfileRow.name == seeds.READ_ONLY
        )
    )
    if profile_id is None:
        raise InvalidArgument.for_field(
            "profile_ids", "required: this tenant has no Read Only profile"
        )
    return profile_id


async def _commit_unique_email(uow: UnitOfWork, email: str) -> None:
    try:
        await uow.commit()
    except IntegrityError as exc:
        raise AlreadyExists(f"a user with e-mail {email} exists", field="email") from exc
    except StaleDataError as exc:
        raise VersionConflict("user changed concurrently; read it again") from exc


def _actor(principal: Principal) -> uuid.UUID | None:
    return uuid.UUID(principal.user_id) if principal.user_id else None
