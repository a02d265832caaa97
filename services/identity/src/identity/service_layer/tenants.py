"""Creating a tenant together with its first administrator, in one transaction."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from crm.identity.v1 import events_pb2
from crm_common.db import UnitOfWork
from crm_common.errors import AlreadyExists
from crm_common.events.envelope import NewEvent
from identity.adapters.orm import TenantRow, UserRow
from identity.domain import events, rules, seeds
from identity.domain.commands import CreateTenant
from identity.service_layer.deps import IdentityDeps
from identity.service_layer.tenant_seed import seed_tenant_access
from identity.service_layer.users import user_event


def validate(cmd: CreateTenant, min_password: int) -> None:
    v = rules.Violations()
    rules.check_name(v, "name", cmd.name, required=True)
    rules.check_slug(v, cmd.slug)
    rules.check_email(v, "admin_email", rules.normalize_email(cmd.admin_email))
    rules.check_password(v, "admin_password", cmd.admin_password, min_password)
    rules.check_timezone(v, "timezone", cmd.timezone)
    rules.check_currency(v, cmd.currency)
    v.raise_if_any()


async def create_tenant(cmd: CreateTenant, deps: IdentityDeps) -> tuple[TenantRow, uuid.UUID]:
    validate(cmd, deps.settings.password_min_length)
    password_hash = await deps.passwords.hash(cmd.admin_password)
    async with deps.uow() as uow:
        if await uow.session.scalar(sa.select(TenantRow.id).where(TenantRow.slug == cmd.slug)):
            raise AlreadyExists(f"tenant slug '{cmd.slug}' is taken", field="slug")
        tenant = TenantRow(
            id=uuid.uuid4(),
            name=cmd.name.strip(),
            slug=cmd.slug,
            timezone=cmd.timezone,
            currency=cmd.currency,
        )
        uow.session.add(tenant)
        await _flush_claiming_slug(uow, cmd.slug)
        access = seed_tenant_access(uow.session, tenant.id)
        admin = UserRow(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            email=rules.normalize_email(cmd.admin_email),
            password_hash=password_hash,
            roles=["admin"],
            timezone=cmd.timezone,
            role_id=access.root_role_id,
            profile_ids=[access.profile_ids[seeds.ADMINISTRATOR]],
        )
        uow.session.add(admin)
        uow.record(_tenant_created(tenant, admin.id))
        uow.record(user_event(events.USER_CREATED, admin, "", []))
        try:
            await uow.commit()
        except IntegrityError as exc:  # a concurrent create took the slug first
            raise AlreadyExists(f"tenant slug '{cmd.slug}' is taken", field="slug") from exc
    return tenant, admin.id


async def _flush_claiming_slug(uow: UnitOfWork, slug: str) -> None:
    """Insert the tenant row first: its unique slug decides concurrent creations."""
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise AlreadyExists(f"tenant slug '{slug}' is taken", field="slug") from exc


def _tenant_created(tenant: TenantRow, admin_id: uuid.UUID) -> NewEvent:
    payload = events_pb2.TenantCreated(
        tenant_id=str(tenant.id),
        name=tenant.name,
        slug=tenant.slug,
        timezone=tenant.timezone,
        currency=tenant.currency,
        admin_user_id=str(admin_id),
    )
    return NewEvent(events.TENANT_CREATED, str(tenant.id), str(tenant.id), payload)
