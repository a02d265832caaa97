"""Races a real PostgreSQL must settle: the same refresh token presented twice at
once, the same tenant slug claimed twice at once, two first-time key creations."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from crm_common.errors import AlreadyExists, Unauthenticated
from identity.adapters.keys import SigningKeys
from identity.adapters.orm import SigningKeyRow
from identity.domain.commands import CreateTenant, IssueToken, RefreshToken
from identity.service_layer import sessions, tenants
from identity.service_layer.deps import IdentityDeps

PASSWORD = "correct-horse-battery"


def fresh_keys(deps: IdentityDeps) -> SigningKeys:
    """A key store with an empty cache, as in a newly started replica."""
    return SigningKeys(
        deps.keys._sessions, passphrase="test", cache_seconds=30, token_ttl_seconds=900
    )


async def new_tenant(deps: IdentityDeps) -> str:
    slug = f"c-{uuid.uuid4().hex[:10]}"
    await tenants.create_tenant(CreateTenant("C", slug, f"a@{slug}.example", PASSWORD), deps)
    return slug


async def test_concurrent_refresh_with_one_token_lets_exactly_one_through(
    deps: IdentityDeps,
) -> None:
    slug = await new_tenant(deps)
    pair = await sessions.issue_token(IssueToken(slug, f"a@{slug}.example", PASSWORD), deps)
    results = await asyncio.gather(
        *(sessions.refresh_token(RefreshToken(pair.refresh_token), deps) for _ in range(5)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, Unauthenticated) for r in results if r not in winners)
    # The losers are reuse: the family is revoked, the winner's token too.
    with pytest.raises(Unauthenticated):
        await sessions.refresh_token(RefreshToken(winners[0].refresh_token), deps)


async def test_concurrent_tenant_creation_with_one_slug_creates_one(deps: IdentityDeps) -> None:
    slug = f"r-{uuid.uuid4().hex[:10]}"
    cmds = [CreateTenant("R", slug, f"a{i}@r.example", PASSWORD) for i in range(4)]
    results = await asyncio.gather(
        *(tenants.create_tenant(c, deps) for c in cmds), return_exceptions=True
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert sum(isinstance(r, AlreadyExists) for r in results) == 3


async def test_first_signing_key_is_created_once_under_concurrency(deps: IdentityDeps) -> None:
    async with deps.uow() as uow:
        await uow.session.execute(sa.delete(SigningKeyRow))
        await uow.commit()
    fresh = [fresh_keys(deps) for _ in range(4)]
    kids = {k.kid for k in await asyncio.gather(*(f.active() for f in fresh))}
    assert len(kids) == 1
    async with deps.uow() as uow:
        assert await uow.session.scalar(sa.select(sa.func.count()).select_from(SigningKeyRow)) == 1


async def test_rotated_key_stays_published_until_its_tokens_expire(deps: IdentityDeps) -> None:
    keys = fresh_keys(deps)
    old = await keys.active()
    async with deps.uow() as uow:
        new_kid = await keys.rotate(uow.session)
        await uow.commit()
    published = {k["kid"] for k in (await keys.jwks())["keys"]}
    assert {old.kid, new_kid} <= published
    assert (await keys.active()).kid == new_kid


async def test_next_key_is_published_before_it_signs(deps: IdentityDeps) -> None:
    keys = SigningKeys(
        deps.keys._sessions,
        passphrase="test",
        cache_seconds=0,
        token_ttl_seconds=900,
        activation_seconds=3600,
    )
    current = await keys.active()
    async with deps.uow() as uow:
        next_kid = await keys.rotate(uow.session)
        await uow.commit()
    assert next_kid in {k["kid"] for k in (await keys.jwks())["keys"]}
    assert (await keys.active()).kid == current.kid  # not yet: verifiers may not have it
