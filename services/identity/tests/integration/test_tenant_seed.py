"""Tenants created before access control get their access model at start-up."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from identity.adapters.orm import UserRow
from identity.adapters.orm_access import ProfileRow, RoleRow, SharingDefaultRow
from identity.domain.commands import CreateTenant
from identity.service_layer import tenant_seed, tenants
from identity.service_layer.deps import IdentityDeps


async def test_pre_access_control_tenant_is_seeded_once(deps: IdentityDeps) -> None:
    slug = f"old-{uuid.uuid4().hex[:8]}"
    tenant, admin_id = await tenants.create_tenant(
        CreateTenant("Old", slug, f"a@{slug}.example", "correct-horse-battery"), deps
    )
    async with deps.uow() as uow:  # make it look like a tenant from before 0002
        for model in (SharingDefaultRow, ProfileRow):
            await uow.session.execute(sa.delete(model).where(model.tenant_id == tenant.id))
        await uow.session.execute(
            sa.update(UserRow)
            .where(UserRow.tenant_id == tenant.id)
            .values(role_id=None, profile_ids=[])
        )
        await uow.session.execute(sa.delete(RoleRow).where(RoleRow.tenant_id == tenant.id))
        await uow.commit()

    await tenant_seed.seed_pending_tenants(deps)
    await tenant_seed.seed_pending_tenants(deps)  # a second replica finds nothing to do

    async with deps.uow() as uow:
        admin = await uow.session.get(UserRow, admin_id)
        roles = list(
            await uow.session.scalars(sa.select(RoleRow).where(RoleRow.tenant_id == tenant.id))
        )
        administrator = await uow.session.scalar(
            sa.select(ProfileRow.id).where(
                ProfileRow.tenant_id == tenant.id, ProfileRow.name == "Administrator"
            )
        )
    assert len(roles) == 1 and roles[0].parent_id is None
    assert admin is not None and admin.role_id == roles[0].id
    assert admin.profile_ids == [administrator]
