"""A tenant's starting access model (domain/seeds.py), written once per tenant."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from identity.adapters.orm import TenantRow, UserRow
from identity.adapters.orm_access import ProfileRow, RoleRow, SharingDefaultRow
from identity.domain import seeds
from identity.service_layer.deps import IdentityDeps

log = logging.getLogger(__name__)
_SEED_LOCK = 727276  # advisory lock id


@dataclass(frozen=True)
class SeededAccess:
    root_role_id: uuid.UUID
    profile_ids: dict[str, uuid.UUID]  # by profile name


def seed_tenant_access(session: AsyncSession, tenant_id: uuid.UUID) -> SeededAccess:
    root = RoleRow(id=uuid.uuid4(), tenant_id=tenant_id, name=seeds.ROOT_ROLE, depth=0)
    root.path = f"/{root.id}/"
    profiles = [
        ProfileRow(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            name=name,
            description=spec["description"],
            permissions=spec["permissions"],
            fields=spec["fields"],
            system=True,
        )
        for name, spec in seeds.PROFILES.items()
    ]
    defaults = [
        SharingDefaultRow(tenant_id=tenant_id, module=module, access=access)
        for module, access in seeds.SHARING_DEFAULTS.items()
    ]
    session.add_all([root, *profiles, *defaults])
    return SeededAccess(root.id, {p.name: p.id for p in profiles})


async def seed_tenants_created_before_access_control(session: AsyncSession) -> int:
    """Tenants from before the access model get it now; their admins become
    Administrators at the root, everyone else Read Only (an admin then decides)."""
    seeded = sa.select(RoleRow.tenant_id).distinct()
    tenants = list(
        await session.scalars(sa.select(TenantRow.id).where(TenantRow.id.not_in(seeded)))
    )
    for tenant_id in tenants:
        access = seed_tenant_access(session, tenant_id)
        await session.flush()
        users = await session.scalars(sa.select(UserRow).where(UserRow.tenant_id == tenant_id))
        for user in users:
            admin = "admin" in user.roles
            name = seeds.ADMINISTRATOR if admin else seeds.READ_ONLY
            await session.execute(
                sa.update(UserRow)
                .where(UserRow.id == user.id)
                .values(
                    profile_ids=[access.profile_ids[name]],
                    role_id=access.root_role_id if admin else None,
                )
            )
    return len(tenants)


async def seed_pending_tenants(deps: IdentityDeps) -> None:
    """Start-up job: give tenants from before access control their access model.
    One replica does it (advisory lock); the others find nothing left to do."""
    async with deps.uow() as uow:
        await uow.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_SEED_LOCK)))
        count = await seed_tenants_created_before_access_control(uow.session)
        await uow.commit()
    if count:
        log.info("seeded the access model of %d existing tenants", count)
