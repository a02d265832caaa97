"""Ed25519 signing keys: stored encrypted in identity's database, published as JWKS.

Rotation publishes the next key before anyone signs with it: a new key starts
signing ``activation_seconds`` after it was created, longer than verifiers wait
between JWKS refreshes, so no verifier meets a token whose key it cannot fetch.
A superseded key stays published until every token it may have signed has
expired. ``retired_at`` withdraws a key at once (a compromised key).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm_common.db import utcnow
from identity.adapters.orm import SigningKeyRow

_CREATE_LOCK = 727275  # advisory lock id: one replica creates the first key


@dataclass(frozen=True)
class ActiveKey:
    kid: str
    private_key: Ed25519PrivateKey


class SigningKeys:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        passphrase: str,
        cache_seconds: float,
        token_ttl_seconds: int,
        activation_seconds: float = 0.0,
    ) -> None:
        self._sessions = sessions
        self._passphrase = passphrase.encode()
        self._cache_seconds = cache_seconds
        self._token_ttl = token_ttl_seconds
        self._activation = timedelta(seconds=activation_seconds)
        self._active: ActiveKey | None = None
        self._loaded_at = 0.0

    async def active(self) -> ActiveKey:
        """The signing key, reloaded periodically so a rotation on any replica spreads."""
        if self._active is None or time.monotonic() - self._loaded_at > self._cache_seconds:
            self._active = await self._load_or_create()
            self._loaded_at = time.monotonic()
        return self._active

    async def rotate(self, session: AsyncSession) -> str:
        """Add the next key; it signs once it has been published long enough."""
        row = self._new_row()
        session.add(row)
        self._active = None  # this replica re-reads at once; the others within the cache time
        return row.kid

    async def jwks(self) -> dict[str, Any]:
        async with self._sessions() as session:
            rows = await self._published(session)
        return {"keys": [json.loads(row.public_jwk) for row in rows]}

    async def _published(self, session: AsyncSession) -> list[SigningKeyRow]:
        """Unwithdrawn keys, newest first, without those whose tokens have all expired."""
        rows = list(
            await session.scalars(
                sa.select(SigningKeyRow)
                .where(SigningKeyRow.retired_at.is_(None))
                .order_by(SigningKeyRow.created_at.desc())
            )
        )
        # A key signs until its successor activates; tokens it signed then live a
        # token lifetime more, plus how long a replica may keep using a cached key.
        keep = timedelta(seconds=self._token_ttl + self._cache_seconds + 60)
        now = utcnow()
        return [
            row
            for newer, row in zip([None, *rows], rows, strict=False)
            if newer is None or newer.created_at + self._activation + keep > now
        ]

    async def _load_or_create(self) -> ActiveKey:
        async with self._sessions() as session, session.begin():
            row = await self._signing(session)
            if row is None:
                await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CREATE_LOCK)))
                row = await self._signing(session)
            if row is None:
                row = self._new_row()
                session.add(row)
            return ActiveKey(row.kid, self._decrypt(row.private_pem))

    async def _signing(self, session: AsyncSession) -> SigningKeyRow | None:
        """The newest activated key; the oldest published one while none is activated
        yet (the very first key signs at once: nobody holds an older one)."""
        rows = await self._published(session)
        cutoff = utcnow() - self._activation
        activated = [row for row in rows if row.created_at <= cutoff]
        if activated:
            return activated[0]
        return rows[-1] if rows else None

    def _new_row(self) -> SigningKeyRow:
        key = Ed25519PrivateKey.generate()
        kid = uuid.uuid4().hex
        jwk = json.loads(OKPAlgorithm.to_jwk(key.public_key()))
        jwk.update({"kid": kid, "use": "sig", "alg": "EdDSA"})
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self._passphrase),
        )
        return SigningKeyRow(kid=kid, private_pem=pem, public_jwk=json.dumps(jwk))

    def _decrypt(self, pem: bytes) -> Ed25519PrivateKey:
        key = serialization.load_pem_private_key(pem, password=self._passphrase)
        if not isinstance(key, Ed25519PrivateKey):
            raise TypeError("signing key is not Ed25519")
        return key
