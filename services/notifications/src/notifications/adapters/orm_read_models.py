"""Notifications' own copies of what other services own (read models), kept from
their events: notifications never reads another service's database.

``account_owners``: who owns each sales account, for "invoice overdue". One row
per (tenant, account); the newest event wins (by the envelope's time), so a late
or redelivered older event changes nothing. A deleted account keeps its row
(``deleted``) so that an older update arriving afterwards cannot bring it back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Uuid, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base


class AccountOwnerRow(Base):
    __tablename__ = "account_owners"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # When sales made the change this row reflects (the event's time, UTC).
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class AccountOwner:
    account_id: uuid.UUID
    owner_id: uuid.UUID | None
    deleted: bool
    changed_at: datetime


class AccountOwners:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def record(self, change: AccountOwner) -> bool:
        """Store ``change`` unless a newer one is stored already; whether it was."""
        values = {
            "tenant_id": self.tenant_id, "account_id": change.account_id,
            "owner_id": change.owner_id, "deleted": change.deleted,
            "changed_at": change.changed_at,
        }  # fmt: skip
        stmt = insert(AccountOwnerRow).values(**values)
        upsert = stmt.on_conflict_do_update(
            index_elements=["tenant_id", "account_id"],
            set_={
                "owner_id": stmt.excluded.owner_id,
                "deleted": stmt.excluded.deleted,
                "changed_at": stmt.excluded.changed_at,
            },
            where=AccountOwnerRow.changed_at <= stmt.excluded.changed_at,
        ).returning(AccountOwnerRow.account_id)
        return await self.session.scalar(upsert) is not None

    async def owner_of(self, account_id: uuid.UUID) -> uuid.UUID | None:
        """The owner of a live account; None when unknown or deleted."""
        return await self.session.scalar(
            select(AccountOwnerRow.owner_id).where(
                AccountOwnerRow.tenant_id == self.tenant_id,
                AccountOwnerRow.account_id == account_id,
                AccountOwnerRow.deleted.is_(False),
            )
        )
