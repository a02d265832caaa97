"""Profiles: allow-lists of module x action plus per-field rules, given to users
and API keys. System (seeded) profiles may be edited, but keep their names (the
service finds Read Only by name) and cannot be deleted; the Administrator
profile keeps every permission, so a tenant cannot lock itself out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from crm_common.access import ALL
from crm_common.auth import Principal
from crm_common.db import utcnow
from crm_common.errors import FailedPrecondition
from crm_common.pagination import Page
from identity.adapters.orm import UserRow
from identity.adapters.orm_access import ApiKeyRow, ProfileRow
from identity.domain import access_rules, seeds
from identity.domain.access_rules import ProfileSpec
from identity.service_layer.access_common import (
    actor,
    authorize,
    check_name_free,
    check_version,
    commit,
    get_live,
    list_live,
    load_live,
    record_change,
    refuse_if_referenced,
)
from identity.service_layer.deps import IdentityDeps

MODULE = "profiles"
EVERYTHING = {ALL: [ALL]}


@dataclass(frozen=True)
class UpdateProfile:
    profile_id: uuid.UUID
    mask: tuple[str, ...]
    spec: ProfileSpec
    expected_version: int = 0


async def create_profile(spec: ProfileSpec, principal: Principal, deps: IdentityDeps) -> ProfileRow:
    access_rules.check_profile(spec)
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "create")
        await check_name_free(uow, ProfileRow, tenant_id, spec.name.strip(), "profile")
        profile = ProfileRow(id=uuid.uuid4(), tenant_id=tenant_id, system=False)
        _apply(profile, spec, tuple(access_rules.PROFILE_FIELDS))
        profile.created_by = profile.updated_by = actor(principal)
        uow.session.add(profile)
        record_change(uow, principal, profile, "created", profile.name)
        await commit(uow, "profile")
    return profile


async def get_profile(
    profile_id: uuid.UUID, principal: Principal, deps: IdentityDeps
) -> ProfileRow:
    return await get_live(principal, deps, ProfileRow, MODULE, profile_id)


async def list_profiles(
    principal: Principal, deps: IdentityDeps, *, limit: int, cursor: str | None
) -> Page[ProfileRow]:
    return await list_live(principal, deps, ProfileRow, MODULE, limit=limit, cursor=cursor)


async def update_profile(
    cmd: UpdateProfile, principal: Principal, deps: IdentityDeps
) -> ProfileRow:
    access_rules.check_mask(cmd.mask, access_rules.PROFILE_FIELDS)
    access_rules.check_profile(cmd.spec, cmd.mask)
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "edit")
        profile = await load_live(uow, ProfileRow, tenant_id, cmd.profile_id)
        check_version(profile, cmd.expected_version)
        if not cmd.mask:
            return profile
        _check_system_change(profile, cmd)
        name = cmd.spec.name.strip()
        if "name" in cmd.mask and name != profile.name:
            await check_name_free(uow, ProfileRow, tenant_id, name, "profile")
        _apply(profile, cmd.spec, cmd.mask)
        profile.updated_by = actor(principal)
        record_change(uow, principal, profile, "updated", f"{profile.name}: {', '.join(cmd.mask)}")
        await commit(uow, "profile")
    return profile


async def delete_profile(profile_id: uuid.UUID, principal: Principal, deps: IdentityDeps) -> None:
    async with deps.uow() as uow:
        tenant_id = await authorize(uow, principal, MODULE, "delete")
        profile = await load_live(uow, ProfileRow, tenant_id, profile_id)
        if profile.system:
            raise FailedPrecondition("a system profile cannot be deleted")
        given = sa.literal(profile.id, sa.Uuid) == sa.any_(UserRow.profile_ids)
        key_uses = sa.and_(ApiKeyRow.profile_id == profile.id, ApiKeyRow.revoked_at.is_(None))
        await refuse_if_referenced(
            uow,
            [
                (UserRow, given, "users have this profile: give them another first"),
                (ApiKeyRow, key_uses, "API keys use this profile: revoke them first"),
            ],
        )
        profile.deleted_at = utcnow()
        profile.updated_by = actor(principal)
        record_change(uow, principal, profile, "deleted", profile.name)
        await commit(uow, "profile")


def _check_system_change(profile: ProfileRow, cmd: UpdateProfile) -> None:
    if not profile.system:
        return
    if "name" in cmd.mask and cmd.spec.name.strip() != profile.name:
        raise FailedPrecondition("a system profile keeps its name")
    narrowed = "permissions" in cmd.mask and _permissions(cmd.spec) != EVERYTHING
    if profile.name == seeds.ADMINISTRATOR and narrowed:
        raise FailedPrecondition("the Administrator profile keeps every permission")


def _apply(profile: ProfileRow, spec: ProfileSpec, mask: tuple[str, ...]) -> None:
    if "name" in mask:
        profile.name = spec.name.strip()
    if "description" in mask:
        profile.description = spec.description.strip()
    if "permissions" in mask:
        profile.permissions = _permissions(spec)
    if "fields" in mask:
        profile.fields = {m: dict(rules) for m, rules in spec.fields.items() if rules}


def _permissions(spec: ProfileSpec) -> dict[str, list[str]]:
    return {module: sorted(set(actions)) for module, actions in spec.permissions.items()}
