"""Preferences, the tenant's SMTP settings and bounced addresses, always within
one tenant."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.db import utcnow
from notifications.adapters.orm_delivery import EmailBounceRow, EmailSettingsRow, PreferenceRow
from notifications.domain import preferences as domain
from notifications.domain.preferences import Channels, Preferences, QuietHours, parse_hhmm


def to_domain(row: PreferenceRow | None) -> Preferences:
    if row is None:
        return domain.DEFAULTS
    quiet = None
    if row.quiet_start and row.quiet_end:
        quiet = QuietHours(
            parse_hhmm(row.quiet_start, "quiet_hours.start"),
            parse_hhmm(row.quiet_end, "quiet_hours.end"),
        )
    channels = {
        name: Channels(bool(value.get("in_app", True)), bool(value.get("email", False)))
        for name, value in (row.channels or {}).items()
        if isinstance(value, dict)
    }
    return Preferences(channels, quiet, row.digest, row.digest_hour)


class PreferenceRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def row(self, user_id: uuid.UUID) -> PreferenceRow | None:
        return await self.session.scalar(
            sa.select(PreferenceRow).where(
                PreferenceRow.tenant_id == self.tenant_id, PreferenceRow.user_id == user_id
            )
        )

    async def preferences(self, user_id: uuid.UUID) -> Preferences:
        return to_domain(await self.row(user_id))

    async def save(self, user_id: uuid.UUID, prefs: Preferences) -> PreferenceRow:
        """Insert or replace the user's preferences (one row per user, also when two
        requests race: the unique index decides, the loser updates)."""
        quiet = prefs.quiet_hours.text() if prefs.quiet_hours else (None, None)
        values = {
            "channels": {
                t: {"in_app": c.in_app, "email": c.email} for t, c in prefs.channels.items()
            },
            "quiet_start": quiet[0],
            "quiet_end": quiet[1],
            "digest": prefs.digest,
            "digest_hour": prefs.digest_hour,
        }
        stmt = (
            insert(PreferenceRow)
            .values(id=uuid.uuid4(), tenant_id=self.tenant_id, user_id=user_id,
                    created_by=user_id, updated_by=user_id, **values)
            .on_conflict_do_update(
                index_elements=["tenant_id", "user_id"],
                set_={**values, "updated_at": utcnow(), "updated_by": user_id,
                      "version": PreferenceRow.version + 1},
            )
        )  # fmt: skip
        await self.session.execute(stmt)
        row = await self.row(user_id)
        assert row is not None
        await self.session.refresh(row)
        return row

    async def email_settings(self) -> EmailSettingsRow | None:
        return await self.session.get(EmailSettingsRow, self.tenant_id)

    async def save_email_settings(
        self, values: dict[str, object], password: bytes | None, keep_password: bool,
        actor: uuid.UUID | None,
    ) -> EmailSettingsRow:  # fmt: skip
        row = await self.session.get(EmailSettingsRow, self.tenant_id, with_for_update=True)
        if row is None:
            row = EmailSettingsRow(tenant_id=self.tenant_id)
            self.session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        if not keep_password:
            row.password_encrypted = password
        row.updated_by = actor
        row.updated_at = utcnow()
        await self.session.flush()
        return row

    async def add_bounce(self, address: str, reason: str) -> EmailBounceRow:
        stmt = (
            insert(EmailBounceRow)
            .values(tenant_id=self.tenant_id, address=address, reason=reason, bounced_at=utcnow())
            .on_conflict_do_nothing()
        )
        await self.session.execute(stmt)
        row = await self.session.get(EmailBounceRow, (self.tenant_id, address))
        assert row is not None
        return row

    async def bounced(self, address: str) -> bool:
        found = await self.session.scalar(
            sa.select(EmailBounceRow.address).where(
                EmailBounceRow.tenant_id == self.tenant_id,
                EmailBounceRow.address == address.strip().lower(),
            )
        )
        return found is not None
