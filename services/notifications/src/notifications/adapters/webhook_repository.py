"""Queries on webhook endpoints and deliveries.

``WebhookRepository`` is one tenant's view (every query filters on the tenant);
``DeliveryQueue`` is the dispatcher's, across tenants (each row carries its own
tenant, and every change it makes is keyed by the row's id).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from notifications.adapters.orm_webhooks import WebhookDeliveryRow, WebhookEndpointRow
from notifications.domain.webhooks import FAILED, PENDING


class WebhookRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # ---- endpoints ----

    async def endpoint(
        self, endpoint_id: uuid.UUID, *, for_update: bool = False
    ) -> WebhookEndpointRow:
        stmt = select(WebhookEndpointRow).where(
            WebhookEndpointRow.tenant_id == self.tenant_id,
            WebhookEndpointRow.id == endpoint_id,
            WebhookEndpointRow.deleted_at.is_(None),
        )
        if for_update:
            stmt = stmt.with_for_update()
        row = await self.session.scalar(stmt)
        if row is None:
            raise NotFound(f"webhook {endpoint_id} not found")
        return row

    async def endpoints(
        self, *, active: bool | None, limit: int, cursor: str | None
    ) -> Page[WebhookEndpointRow]:
        stmt = select(WebhookEndpointRow).where(
            WebhookEndpointRow.tenant_id == self.tenant_id,
            WebhookEndpointRow.deleted_at.is_(None),
        )
        if active is not None:
            stmt = stmt.where(WebhookEndpointRow.active.is_(active))
        order = (WebhookEndpointRow.created_at, WebhookEndpointRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def active_endpoints(self) -> list[WebhookEndpointRow]:
        rows = await self.session.scalars(
            select(WebhookEndpointRow).where(
                WebhookEndpointRow.tenant_id == self.tenant_id,
                WebhookEndpointRow.active.is_(True),
                WebhookEndpointRow.deleted_at.is_(None),
            )
        )
        return list(rows)

    # ---- deliveries ----

    async def enqueue(
        self, endpoint_ids: list[uuid.UUID], event_id: uuid.UUID, event_type: str, body: str,
        now: datetime,
    ) -> int:  # fmt: skip
        """One pending delivery per endpoint, unless (endpoint, event) is queued
        already; how many were added."""
        if not endpoint_ids:
            return 0
        rows = [
            {
                "id": uuid.uuid4(),
                "tenant_id": self.tenant_id,
                "endpoint_id": endpoint_id,
                "event_id": event_id,
                "event_type": event_type,
                "body": body,
                "status": PENDING,
                "attempts": 0,
                "last_error": "",
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for endpoint_id in endpoint_ids
        ]
        stmt = (
            insert(WebhookDeliveryRow)
            .values(rows)
            .on_conflict_do_nothing(
                index_elements=["endpoint_id", "event_id"],
                index_where=WebhookDeliveryRow.replay_of.is_(None),
            )
            .returning(WebhookDeliveryRow.id)
        )
        return len(list(await self.session.scalars(stmt)))

    async def delivery(self, endpoint_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDeliveryRow:
        row = await self.session.scalar(
            select(WebhookDeliveryRow).where(
                WebhookDeliveryRow.tenant_id == self.tenant_id,
                WebhookDeliveryRow.endpoint_id == endpoint_id,
                WebhookDeliveryRow.id == delivery_id,
            )
        )
        if row is None:
            raise NotFound(f"delivery {delivery_id} not found")
        return row

    async def deliveries(
        self, endpoint_id: uuid.UUID, *, status: str, limit: int, cursor: str | None
    ) -> Page[WebhookDeliveryRow]:
        stmt = select(WebhookDeliveryRow).where(
            WebhookDeliveryRow.tenant_id == self.tenant_id,
            WebhookDeliveryRow.endpoint_id == endpoint_id,
        )
        if status:
            stmt = stmt.where(WebhookDeliveryRow.status == status)
        return await paginate(
            self.session, stmt, (WebhookDeliveryRow.seq,), limit=limit, cursor=cursor,
            descending=True,
        )  # fmt: skip

    async def add_replay(self, original: WebhookDeliveryRow, now: datetime) -> WebhookDeliveryRow:
        copy = WebhookDeliveryRow(
            id=uuid.uuid4(), tenant_id=self.tenant_id, endpoint_id=original.endpoint_id,
            event_id=original.event_id, event_type=original.event_type, body=original.body,
            status=PENDING, attempts=0, last_error="", next_attempt_at=now,
            replay_of=original.replay_of or original.id, created_at=now, updated_at=now,
        )  # fmt: skip
        self.session.add(copy)
        await self.session.flush()  # seq from the database
        return copy

    async def fail_pending(self, endpoint_id: uuid.UUID, now: datetime, reason: str) -> None:
        await self.session.execute(
            update(WebhookDeliveryRow)
            .where(
                WebhookDeliveryRow.tenant_id == self.tenant_id,
                WebhookDeliveryRow.endpoint_id == endpoint_id,
                WebhookDeliveryRow.status == PENDING,
            )
            .values(
                status=FAILED,
                failed_at=now,
                next_attempt_at=None,
                last_error=reason,
                updated_at=now,
            )
        )

    async def resume_pending(self, endpoint_id: uuid.UUID, now: datetime) -> None:
        """Pending deliveries of a re-enabled endpoint are due at once."""
        await self.session.execute(
            update(WebhookDeliveryRow)
            .where(
                WebhookDeliveryRow.tenant_id == self.tenant_id,
                WebhookDeliveryRow.endpoint_id == endpoint_id,
                WebhookDeliveryRow.status == PENDING,
            )
            .values(next_attempt_at=now, updated_at=now)
        )


@dataclass(frozen=True)
class Claimed:
    """A delivery taken for one attempt (``attempts`` counts it already)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    body: str
    attempts: int
    url: str
    secret: str


class DeliveryQueue:
    """The dispatcher's queries, over every tenant."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, now: datetime, batch: int, lease: timedelta) -> list[Claimed]:
        """Due heads of active endpoints' queues, locked with SKIP LOCKED (another
        replica takes others), then leased: ``attempts + 1`` and not due again
        until the lease ends, so a crashed attempt is retried after it.

        Only the oldest pending delivery of an endpoint is a head: the next one
        waits until it is delivered or failed, so a receiver gets them in order."""
        earlier = aliased(WebhookDeliveryRow)
        d, e = WebhookDeliveryRow, WebhookEndpointRow
        heads = (
            select(d, e.url, e.secret)
            .join(e, e.id == d.endpoint_id)
            .where(
                d.status == PENDING, d.next_attempt_at <= now,
                e.active.is_(True), e.deleted_at.is_(None), e.tenant_id == d.tenant_id,
                ~exists().where(
                    earlier.endpoint_id == d.endpoint_id, earlier.status == PENDING,
                    earlier.seq < d.seq,
                ),
            )
            .order_by(d.next_attempt_at, d.seq)
            .limit(batch)
            .with_for_update(of=d, skip_locked=True)
        )  # fmt: skip
        found = (await self.session.execute(heads)).all()
        if not found:
            return []
        ids = [row.id for row, _url, _secret in found]
        await self.session.execute(
            update(d)
            .where(d.id.in_(ids))
            .values(attempts=d.attempts + 1, next_attempt_at=now + lease, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return [
            Claimed(
                row.id,
                row.tenant_id,
                row.endpoint_id,
                row.event_id,
                row.event_type,
                row.body,
                row.attempts + 1,
                url,
                secret,
            )
            for row, url, secret in found
        ]

    async def settle(self, claimed: Claimed, values: dict[str, object], now: datetime) -> bool:
        """Write an attempt's outcome unless the lease was lost meanwhile (another
        attempt was counted since): False then, and nothing changes."""
        d = WebhookDeliveryRow
        result = await self.session.execute(
            update(d)
            .where(d.id == claimed.id, d.status == PENDING, d.attempts == claimed.attempts)
            .values(**values, updated_at=now)
            .returning(d.id)
            .execution_options(synchronize_session=False)
        )
        return result.scalar_one_or_none() is not None

    async def endpoint_for_update(self, endpoint_id: uuid.UUID) -> WebhookEndpointRow | None:
        return await self.session.scalar(
            select(WebhookEndpointRow)
            .where(WebhookEndpointRow.id == endpoint_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def update_endpoint(
        self, endpoint_id: uuid.UUID, values: dict[str, object], *, bump_version: bool
    ) -> None:
        """Failure counters change without a new version (the tenant's ETag stays);
        disabling is a change the tenant sees: a new version."""
        e = WebhookEndpointRow
        if bump_version:
            values = {**values, "version": e.version + 1}
        await self.session.execute(
            update(e)
            .where(and_(e.id == endpoint_id))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
