"""The rules for support, inventory and quotes against real PostgreSQL and NATS
JetStream: events published on the stream (each twice, as a redelivery) and
consumed by the rules handler; identity is a fake directory. The account owners
read model: newest event wins, deleted accounts tell nobody, concurrent writers
agree; an identity outage retries the event and loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

import sqlalchemy as sa
from google.protobuf.message import Message
from nats.js import JetStreamContext

from crm.common.v1 import events_pb2 as common_events
from crm.inventory.v1 import billing_pb2, stock_pb2
from crm.sales.v1 import events_pb2 as sales_events
from crm.sales.v1 import quotes_pb2
from crm.support.v1 import events_pb2 as support_events
from crm_common.errors import Unavailable
from crm_common.events.consumer import EventConsumer
from crm_common.events.envelope import NewEvent, build_envelope
from notifications.adapters.orm import NotificationRow
from notifications.adapters.orm_read_models import AccountOwnerRow, AccountOwners
from notifications.domain.rules import OrgChart
from notifications.service_layer import account_owners, events
from notifications.service_layer.deps import NotificationsDeps

Told = list[tuple[str, str, str, uuid.UUID | None]]  # (user, type, record_type, record_id)


@dataclass
class FakeDirectory:
    groups: dict[str, list[str]] = field(default_factory=dict)
    permissions: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    chart: OrgChart = field(default_factory=lambda: OrgChart({}, {}))
    failures: int = 0  # calls that fail (identity down) before it answers

    def _maybe_down(self) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise Unavailable("identity is down")

    async def group_users(self, tenant_id: uuid.UUID, group_id: str) -> list[str]:
        self._maybe_down()
        return self.groups.get(group_id, [])

    async def users_with_permission(
        self, tenant_id: uuid.UUID, module: str, action: str
    ) -> list[str]:
        self._maybe_down()
        return self.permissions.get((module, action), [])

    async def org_chart(self, tenant_id: uuid.UUID) -> OrgChart:
        self._maybe_down()
        return self.chart


def ids(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


def new_event(
    subject: str, tenant: uuid.UUID, record: str, payload: Message, actor: str = "",
    at: datetime | None = None,
) -> NewEvent:  # fmt: skip
    at = at or datetime.now(UTC)
    return NewEvent(subject, str(tenant), record, payload, actor, occurred_at=at)


async def deliver(
    js: JetStreamContext, deps: NotificationsDeps, directory: FakeDirectory, *sent: NewEvent
) -> None:
    """Each event published twice under different message ids (a redelivery), in
    order, then consumed by a fresh durable consumer of just those subjects."""
    for event in sent:
        data = build_envelope(event, source="test").SerializeToString()
        for n in range(2):
            await js.publish(event.type, data, headers={"Nats-Msg-Id": f"{event.id}-{n}"})
    consumer = EventConsumer(
        f"test-rules-{uuid.uuid4().hex[:8]}", sorted({e.type for e in sent}),
        partial(events.handle, directory=directory), deps.uow, lambda: js,
        retry_backoff=0.05, max_retry_backoff=0.1,
    )  # fmt: skip
    idle = 0
    for _ in range(60):  # bounded: until two fetches in a row find nothing left
        with contextlib.suppress(TimeoutError):
            idle = idle + 1 if await consumer.process_batch(timeout=0.5) == 0 else 0
        if idle == 2:
            break


async def told(deps: NotificationsDeps, tenant: uuid.UUID) -> Told:
    async with deps.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(NotificationRow).where(NotificationRow.tenant_id == tenant)
        )
        return sorted((str(r.user_id), r.type, r.record_type, r.record_id) for r in rows)


async def test_mentions_and_case_assignment(
    notifications_deps: NotificationsDeps, notifications_js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    author, mentioned, owner, previous = ids(4)
    case = uuid.uuid4()
    comment = support_events.CaseCommented(
        case_id=str(case), number="CS-2026-000001", comment_id=str(uuid.uuid4()),
        author_id=author, mentioned_user_ids=[mentioned, author, mentioned], subject="Printer",
    )  # fmt: skip
    assigned = support_events.CaseChanged(
        case_id=str(case), number="CS-2026-000001", owner_id=owner, previous_owner_id=previous
    )
    await deliver(
        notifications_js, notifications_deps, FakeDirectory(),
        new_event("crm.support.case.commented", tenant, comment.comment_id, comment, author),
        new_event("crm.support.case.assigned", tenant, str(case), assigned, author),
    )  # fmt: skip
    assert await told(notifications_deps, tenant) == sorted(
        [(mentioned, "mention", "case", case), (owner, "assigned", "case", case)]
    )
    async with notifications_deps.uow() as uow:
        title = await uow.session.scalar(
            sa.select(NotificationRow.title).where(
                NotificationRow.tenant_id == tenant, NotificationRow.type == "mention"
            )
        )
    assert title == "You were mentioned on case CS-2026-000001"


async def test_sla_warnings_breaches_and_escalations(
    notifications_deps: NotificationsDeps, notifications_js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    owner, agent, lead_agent, manager = ids(4)
    group, escalation_group = ids(2)
    directory = FakeDirectory(groups={group: [agent, owner], escalation_group: [lead_agent]})
    case = uuid.uuid4()
    sla = support_events.SlaEvent(
        case_id=str(case), number="CS-9", target="resolution", owner_id=owner, group_id=group,
        escalation_group_id=escalation_group, manager_id=manager, escalation_level=1,
    )  # fmt: skip
    await deliver(
        notifications_js, notifications_deps, directory,
        *(new_event(f"crm.support.sla.{verb}", tenant, str(case), sla)
          for verb in ("warning", "breached", "escalated")),
    )  # fmt: skip
    assert await told(notifications_deps, tenant) == sorted(
        [
            *((who, "sla_warning", "case", case) for who in (owner, agent)),
            *((who, "sla_breached", "case", case) for who in (owner, agent)),
            *((who, "sla_escalated", "case", case) for who in (lead_agent, manager)),
        ]
    )


async def test_stock_low_and_quote_approval_ask_identity(
    notifications_deps: NotificationsDeps, notifications_js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    admin, keeper, manager, rep, peer = ids(5)
    directory = FakeDirectory(
        permissions={
            ("stock", "edit"): [admin, keeper],
            ("quotes", "edit"): [admin, manager, rep, peer],
            ("*", "*"): [admin],
        },
        chart=OrgChart(
            parents={"root": "", "managers": "root", "reps": "managers"},
            role_of={admin: "root", manager: "managers", rep: "reps", peer: "reps"},
        ),
    )
    product, quote = uuid.uuid4(), uuid.uuid4()
    low = stock_pb2.StockLow(product_id=str(product), sku="SKU-1", available="1")
    asked = quotes_pb2.QuoteEvent(quote_id=str(quote), number="Q-1", owner_id=rep, actor_id=rep)
    await deliver(
        notifications_js, notifications_deps, directory,
        new_event("crm.inventory.stock.low", tenant, str(product), low),
        new_event("crm.sales.quote.approval_requested", tenant, str(quote), asked, rep),
    )  # fmt: skip
    assert await told(notifications_deps, tenant) == sorted(
        [
            (admin, "stock_low", "product", product),
            (keeper, "stock_low", "product", product),
            (manager, "quote_approval", "quote", quote),
            (admin, "quote_approval", "quote", quote),
        ]
    )


async def test_an_overdue_invoice_tells_its_account_owner_by_the_newest_account_event(
    notifications_deps: NotificationsDeps, notifications_js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    first_owner, new_owner = ids(2)
    account, gone, invoice, other_invoice = (uuid.uuid4() for _ in range(4))
    now = datetime.now(UTC)

    def changed(subject: str, acc: uuid.UUID, owner: str, at: datetime) -> NewEvent:
        payload = sales_events.AccountChanged(account_id=str(acc), owner_id=owner)
        return new_event(f"crm.sales.account.{subject}", tenant, str(acc), payload, at=at)

    def overdue(inv: uuid.UUID, acc: uuid.UUID) -> NewEvent:
        payload = billing_pb2.InvoiceEvent(
            invoice_id=str(inv), number="INV-1", account_id=str(acc), status="overdue"
        )
        return new_event("crm.inventory.invoice.overdue", tenant, str(inv), payload)

    await deliver(
        notifications_js, notifications_deps, FakeDirectory(),
        changed("created", account, first_owner, now - timedelta(seconds=3)),
        changed("updated", account, new_owner, now - timedelta(seconds=1)),
        # Late: older than the update above, so it changes nothing.
        changed("updated", account, first_owner, now - timedelta(seconds=2)),
        changed("created", gone, first_owner, now - timedelta(seconds=2)),
        changed("deleted", gone, first_owner, now - timedelta(seconds=1)),
        overdue(invoice, account),
        overdue(other_invoice, gone),
    )  # fmt: skip
    assert await told(notifications_deps, tenant) == [
        (new_owner, "invoice_overdue", "invoice", invoice)
    ]
    async with notifications_deps.uow() as uow:
        owners = AccountOwners(uow.session, tenant)
        assert await owners.owner_of(account) == uuid.UUID(new_owner)
        assert await owners.owner_of(gone) is None


async def test_concurrent_account_events_agree_on_the_newest(
    notifications_deps: NotificationsDeps,
) -> None:
    """Two replicas applying two changes of one account at once, in either order:
    the newer one is stored."""
    tenant, account = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    owners = [uuid.uuid4() for _ in range(20)]

    def envelope(i: int, owner: uuid.UUID) -> common_events.Envelope:
        payload = sales_events.AccountChanged(account_id=str(account), owner_id=str(owner))
        subject = "crm.sales.account.updated"
        at = now + timedelta(milliseconds=i)
        return build_envelope(new_event(subject, tenant, str(account), payload, at=at), source="t")

    async def apply(env: common_events.Envelope) -> None:
        async with notifications_deps.uow() as uow:
            await account_owners.track(AccountOwners(uow.session, tenant), env)
            await uow.commit()

    envelopes = [envelope(i, owner) for i, owner in enumerate(owners)]
    await asyncio.gather(*(apply(env) for env in reversed(envelopes)))
    async with notifications_deps.uow() as uow:
        rows = list(
            await uow.session.scalars(
                sa.select(AccountOwnerRow).where(AccountOwnerRow.tenant_id == tenant)
            )
        )
    assert [row.owner_id for row in rows] == [owners[-1]]


async def test_identity_down_retries_the_event_and_loses_nothing(
    notifications_deps: NotificationsDeps, notifications_js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    owner, agent = ids(2)
    group = str(uuid.uuid4())
    directory = FakeDirectory(groups={group: [agent]}, failures=2)
    case = uuid.uuid4()
    sla = support_events.SlaEvent(case_id=str(case), owner_id=owner, group_id=group)
    await deliver(
        notifications_js, notifications_deps, directory,
        new_event("crm.support.sla.breached", tenant, str(case), sla),
    )  # fmt: skip
    assert directory.failures == 0
    assert await told(notifications_deps, tenant) == sorted(
        [(owner, "sla_breached", "case", case), (agent, "sla_breached", "case", case)]
    )
