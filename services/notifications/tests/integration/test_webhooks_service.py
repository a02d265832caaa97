"""Webhooks against real PostgreSQL, NATS and a real HTTP receiver on 127.0.0.1:
endpoints (access, validation, versions, secret once), the consumer (an event
delivered twice queues one delivery; other tenants' and unwanted events none),
the dispatcher (signed, in order per endpoint also while the receiver fails,
two replicas deliver each once, retries end failed, the endpoint is disabled and
re-enabled), the delivery log and replay."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
from nats.js import JetStreamContext

from crm.notifications.v1 import delivery_events_pb2
from crm.sales.v1 import events_pb2
from crm_common.access import AccessContext
from crm_common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from crm_common.events.consumer import EventConsumer
from crm_common.events.envelope import NewEvent, build_envelope
from crm_common.events.tables import OutboxMessage
from notifications.adapters.orm_webhooks import WebhookEndpointRow
from notifications.domain.webhooks import RetryPolicy
from notifications.service_layer import webhook_enqueue, webhooks
from notifications.service_layer.deps import NotificationsDeps
from notifications.service_layer.webhook_dispatch import (
    FAILED_EVENT,
    DispatchSettings,
    WebhookDispatcher,
    new_client,
)
from notifications.service_layer.webhooks import WebhookDeps, WebhookInput

FAST = RetryPolicy(base_seconds=0.02, max_seconds=0.1, max_attempts=1000,
                   disable_after_failures=1000, disable_after_seconds=3600)  # fmt: skip
WAIT_SECONDS = 20.0  # a bound for the loops, not a measurement


# ---- a real receiver ----


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    code: int = 0  # what the receiver answered

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """A ThreadingHTTPServer on 127.0.0.1 that records each POST and answers with
    ``status()`` (200 by default)."""

    status: Callable[[Received], int] = lambda _r: 200
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                got = Received(dict(self.headers.items()), self.rfile.read(length))
                code = got.code = receiver.status(got)
                with receiver.lock:
                    receiver.received.append(got)
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def ok(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.code < 300]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


# ---- deps ----


@pytest_asyncio.fixture
async def hooks(notifications_deps: NotificationsDeps) -> AsyncIterator[WebhookDeps]:
    deps = WebhookDeps(notifications_deps.uow, allow_private_targets=True, policy=FAST)
    yield deps
    # Every endpoint made here is deleted: its pending deliveries end, and the
    # next test's dispatcher does not try them.
    async with deps.uow() as uow:
        await uow.session.execute(
            sa.update(WebhookEndpointRow)
            .where(WebhookEndpointRow.deleted_at.is_(None))
            .values(active=False, deleted_at=sa.func.now())
        )
        await uow.commit()


@pytest_asyncio.fixture
async def dispatcher(hooks: WebhookDeps) -> AsyncIterator[WebhookDispatcher]:
    client = new_client(5.0)
    yield WebhookDispatcher(hooks.uow, client, DispatchSettings(FAST, 5.0, True))
    await client.aclose()


def admin_of(tenant: uuid.UUID) -> AccessContext:
    return AccessContext(str(tenant), user_id=str(uuid.uuid4()), all_records=True,
                         permissions={"*": frozenset({"*"})})  # fmt: skip


def rep_of(tenant: uuid.UUID) -> AccessContext:
    return AccessContext(str(tenant), user_id=str(uuid.uuid4()),
                         permissions={"deals": frozenset({"view", "create", "edit"})})  # fmt: skip


def kind() -> str:
    """Event types of this test only (the consumer reads just those)."""
    return f"crm.sales.hook{uuid.uuid4().hex[:8]}"


async def consume(js: JetStreamContext, deps: WebhookDeps, subjects: list[str]) -> None:
    consumer = EventConsumer(
        f"test-webhooks-{uuid.uuid4().hex[:8]}", sorted(set(subjects)),
        webhook_enqueue.handle, deps.uow, lambda: js,
    )  # fmt: skip
    for _ in range(30):  # bounded: until a fetch finds nothing left
        with contextlib.suppress(TimeoutError):
            if await consumer.process_batch(timeout=1.0) == 0:
                break


async def publish(
    js: JetStreamContext, deps: WebhookDeps, *sent: NewEvent, twice: bool = False
) -> None:
    for event in sent:
        data = build_envelope(event, source="sales").SerializeToString()
        for n in range(2 if twice else 1):
            await js.publish(event.type, data, headers={"Nats-Msg-Id": f"{event.id}-{n}"})
    await consume(js, deps, [e.type for e in sent])


def event(subject: str, tenant: uuid.UUID, name: str = "") -> NewEvent:
    payload = events_pb2.LeadChanged(owner_id=str(uuid.uuid4()), changed_fields=[name or "x"])
    return NewEvent(subject, str(tenant), str(uuid.uuid4()), payload)


async def until(check: Callable[[], Any], what: str) -> None:
    """Polls ``check`` (sync or async) until truthy, bounded."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {WAIT_SECONDS}s: {what}")


async def dispatched(dispatcher: WebhookDispatcher, receiver: Receiver, count: int) -> bool:
    await dispatcher.drain()
    return len(receiver.ok()) >= count


def verify(secret: str, got: Received, tolerance: int = 300) -> bool:
    """docs/webhooks.md's recipe."""
    timestamp = got.headers["X-CRM-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + got.body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), got.headers["X-CRM-Signature"].removeprefix("v1="))


async def create(
    deps: WebhookDeps, tenant: uuid.UUID, url: str, *types: str
) -> webhooks.WithSecret:
    return await webhooks.create_webhook(
        WebhookInput(url, "test", tuple(types)), admin_of(tenant), deps
    )


# ---- endpoints ----


async def test_endpoints_for_administrators_with_the_secret_once(hooks: WebhookDeps) -> None:
    tenant = uuid.uuid4()
    admin = admin_of(tenant)
    created = await create(hooks, tenant, "https://hooks.example.com/a", "crm.sales.deal.*")
    assert created.secret.startswith("whsec_")
    row = await webhooks.get_webhook(created.row.id, admin, hooks)
    assert (row.url, row.event_types, row.active, row.version) == (
        "https://hooks.example.com/a", ["crm.sales.deal.*"], True, 1,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        await webhooks.get_webhook(row.id, rep_of(tenant), hooks)
    with pytest.raises(PermissionDenied):
        await webhooks.create_webhook(
            WebhookInput("https://x.example.com", "", ("crm.>",)), rep_of(tenant), hooks
        )
    with pytest.raises(NotFound):
        await webhooks.get_webhook(row.id, admin_of(uuid.uuid4()), hooks)
    changed = await webhooks.update_webhook(
        row.id, {"description": "deals", "event_types": ["crm.sales.>"]}, 1, admin, hooks
    )
    assert (changed.description, changed.event_types, changed.version) == (
        "deals",
        ["crm.sales.>"],
        2,
    )
    with pytest.raises(VersionConflict):
        await webhooks.update_webhook(row.id, {"description": "stale"}, 1, admin, hooks)
    rotated = await webhooks.rotate_secret(row.id, admin, hooks)
    assert rotated.secret != created.secret
    second = await create(hooks, tenant, "https://hooks.example.com/b", "crm.support.>")
    first_page = await webhooks.list_webhooks(admin, hooks, active=None, limit=1, cursor=None)
    assert [r.id for r in first_page.items] == [row.id] and first_page.next_cursor
    rest = await webhooks.list_webhooks(
        admin, hooks, active=None, limit=1, cursor=first_page.next_cursor
    )
    assert [r.id for r in rest.items] == [second.row.id]
    other = await webhooks.list_webhooks(
        admin_of(uuid.uuid4()), hooks, active=None, limit=50, cursor=None
    )
    assert other.items == []
    await webhooks.delete_webhook(row.id, 0, admin, hooks)
    with pytest.raises(NotFound):
        await webhooks.get_webhook(row.id, admin, hooks)


async def test_bad_input_names_every_field(hooks: WebhookDeps) -> None:
    tenant = uuid.uuid4()
    bad = WebhookInput("http://hooks.example.com", "x" * 501, ("crm.sales.>", "crm..x"))
    with pytest.raises(InvalidArgument) as caught:
        await webhooks.create_webhook(bad, admin_of(tenant), hooks)
    assert sorted(v.field for v in caught.value.violations) == [
        "description",
        "event_types[1]",
        "url",
    ]
    strict = WebhookDeps(hooks.uow, allow_private_targets=False, policy=FAST)
    with pytest.raises(InvalidArgument):
        await create(strict, tenant, "http://127.0.0.1:9/hook", "crm.>")
    created = await create(hooks, tenant, "https://hooks.example.com", "crm.>")
    with pytest.raises(InvalidArgument) as unknown:
        await webhooks.update_webhook(
            created.row.id, {"secret": "mine"}, 0, admin_of(tenant), hooks
        )
    assert unknown.value.violations[0].field == "secret"


# ---- consumer and dispatcher ----


async def test_signed_deliveries_once_per_event_only_to_the_tenant_that_wants_them(
    hooks: WebhookDeps, dispatcher: WebhookDispatcher, receiver: Receiver,
    notifications_js: JetStreamContext,
) -> None:  # fmt: skip
    tenant, other = uuid.uuid4(), uuid.uuid4()
    wanted, unwanted = kind(), kind()
    mine = await create(hooks, tenant, receiver.url, f"{wanted}.*")
    theirs_receiver = Receiver().start()
    try:
        theirs = await create(hooks, other, theirs_receiver.url, "crm.>")
        events = [event(f"{wanted}.created", tenant, "a"), event(f"{wanted}.updated", tenant, "b")]
        await publish(
            notifications_js, hooks, *events, event(f"{unwanted}.created", tenant), twice=True
        )
        await until(lambda: dispatched(dispatcher, receiver, 2), "two deliveries")
        await dispatcher.drain()
        assert [r.json["id"] for r in receiver.received] == [e.id for e in events]
        first = receiver.received[0]
        assert verify(mine.secret, first)
        assert first.headers["X-CRM-Event-Type"] == f"{wanted}.created"
        assert first.json["type"] == f"{wanted}.created"
        assert first.json["tenant_id"] == str(tenant)
        assert first.json["subject_id"] == events[0].subject_id
        assert first.json["occurred_at"].endswith("Z")
        assert first.json["data"]["changed_fields"] == ["a"]
        log = await webhooks.list_deliveries(
            mine.row.id, "", admin_of(tenant), hooks, limit=50, cursor=None
        )
        assert [d.status for d in log.items] == ["delivered", "delivered"]  # one per event
        assert [str(d.id) for d in reversed(log.items)] == [
            r.headers["X-CRM-Webhook-Id"] for r in receiver.received
        ]
        assert theirs_receiver.received == []  # another tenant's endpoint hears nothing
        theirs_log = await webhooks.list_deliveries(
            theirs.row.id, "", admin_of(other), hooks, limit=50, cursor=None
        )
        assert theirs_log.items == []
        with pytest.raises(NotFound):  # nor may it read this tenant's log
            await webhooks.list_deliveries(
                mine.row.id, "", admin_of(other), hooks, limit=5, cursor=None
            )
    finally:
        theirs_receiver.stop()


async def test_a_failing_receiver_gets_everything_later_in_order(
    hooks: WebhookDeps, dispatcher: WebhookDispatcher, receiver: Receiver,
    notifications_js: JetStreamContext,
) -> None:  # fmt: skip
    tenant = uuid.uuid4()
    subject = kind()
    down = threading.Event()
    down.set()
    receiver.status = lambda _r: 503 if down.is_set() else 200
    await create(hooks, tenant, receiver.url, f"{subject}.>")
    events = [event(f"{subject}.n{i}", tenant) for i in range(5)]
    await publish(notifications_js, hooks, *events)
    for _ in range(10):  # several rounds of failures
        await until(dispatcher.run_once, "an attempt")
    assert {r.json["id"] for r in receiver.received} == {events[0].id}  # only the head was tried
    down.clear()

    async def all_five() -> bool:
        await dispatcher.drain()
        return len(receiver.ok()) == 5

    await until(all_five, "five deliveries")
    assert [r.json["id"] for r in receiver.ok()] == [e.id for e in events]


async def test_two_replicas_deliver_each_once_in_order(
    hooks: WebhookDeps, receiver: Receiver, notifications_js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    subject = kind()
    clients = [new_client(5.0), new_client(5.0)]
    replicas = [WebhookDispatcher(hooks.uow, c, DispatchSettings(FAST, 5.0, True)) for c in clients]
    try:
        endpoints = [await create(hooks, tenant, receiver.url, f"{subject}.>") for _ in range(3)]
        events = [event(f"{subject}.n{i}", tenant) for i in range(8)]
        await publish(notifications_js, hooks, *events)
        for _ in range(20):
            await asyncio.gather(*(r.drain() for r in replicas))
            if len(receiver.received) >= 24:
                break
        assert len(receiver.received) == 24  # 8 events x 3 endpoints, each once
        for endpoint in endpoints:
            page = await webhooks.list_deliveries(
                endpoint.row.id, "", admin_of(tenant), hooks, limit=50, cursor=None
            )
            mine = {str(d.id) for d in page.items}
            order = [
                r.json["id"] for r in receiver.received if r.headers["X-CRM-Webhook-Id"] in mine
            ]
            assert order == [e.id for e in events]
    finally:
        for client in clients:
            await client.aclose()


async def test_retries_end_failed_and_an_endpoint_that_keeps_failing_is_disabled(
    hooks: WebhookDeps, receiver: Receiver, notifications_js: JetStreamContext
) -> None:
    tenant = uuid.uuid4()
    admin = admin_of(tenant)
    subject = kind()
    policy = RetryPolicy(base_seconds=0.01, max_seconds=0.02, max_attempts=2,
                         disable_after_failures=2, disable_after_seconds=3600)  # fmt: skip
    failing = threading.Event()
    failing.set()
    receiver.status = lambda _r: 500 if failing.is_set() else 200
    client = new_client(5.0)
    strict = WebhookDispatcher(hooks.uow, client, DispatchSettings(policy, 5.0, True))
    try:
        created = await create(hooks, tenant, receiver.url, f"{subject}.>")
        events = [event(f"{subject}.n{i}", tenant) for i in range(3)]
        await publish(notifications_js, hooks, *events)

        async def disabled() -> bool:
            await strict.drain()
            return not (await webhooks.get_webhook(created.row.id, admin, hooks)).active

        await until(disabled, "the endpoint disabled")
        row = await webhooks.get_webhook(created.row.id, admin, hooks)
        assert "2 deliveries in a row failed" in row.disabled_reason
        assert row.consecutive_failures == 2 and row.disabled_at is not None
        log = await webhooks.list_deliveries(row.id, "", admin, hooks, limit=50, cursor=None)
        assert [(d.status, d.attempts) for d in reversed(log.items)] == [
            ("failed", 2), ("failed", 2), ("pending", 0),
        ]  # fmt: skip
        assert log.items[-1].last_status_code == 500 and log.items[-1].last_error == "HTTP 500"
        reported = await _reported(hooks, tenant, FAILED_EVENT)
        assert sorted(r.delivery_id for r in reported) == sorted(str(d.id) for d in log.items[1:])
        assert {(r.channel, r.recipient, r.attempts) for r in reported} == {
            ("webhook", str(row.id), 2)
        }
        # The tenant repairs its receiver and re-enables: the rest goes, in order.
        failing.clear()
        receiver.received.clear()
        again = await webhooks.update_webhook(row.id, {"active": True}, row.version, admin, hooks)
        assert again.active and again.disabled_reason == "" and again.consecutive_failures == 0

        async def third() -> bool:
            await strict.drain()
            return bool(receiver.received)

        await until(third, "the third event")
        assert [r.json["id"] for r in receiver.received] == [events[2].id]
        # Replay of the first (failed) delivery: a copy, same event and body.
        first = log.items[-1]
        with pytest.raises(FailedPrecondition):
            pending = await _add_pending(hooks, tenant, row.id, subject, notifications_js)
            await webhooks.replay_delivery(row.id, pending, admin, hooks)
        copy = await webhooks.replay_delivery(row.id, first.id, admin, hooks)
        assert copy.id != first.id and copy.replay_of == first.id and copy.status == "pending"

        async def replayed() -> bool:
            await strict.drain()
            return any(r.json["id"] == events[0].id for r in receiver.received)

        await until(replayed, "the replay")
        sent = [r for r in receiver.received if r.json["id"] == events[0].id]
        assert len(sent) == 1 and sent[0].headers["X-CRM-Webhook-Id"] == str(copy.id)
        assert verify(created.secret, sent[0])
        log = await webhooks.list_deliveries(row.id, "failed", admin, hooks, limit=50, cursor=None)
        assert first.id in [d.id for d in log.items]  # the original stays as it was
    finally:
        await client.aclose()


async def _add_pending(
    hooks: WebhookDeps, tenant: uuid.UUID, endpoint: uuid.UUID, subject: str,
    js: JetStreamContext,
) -> uuid.UUID:  # fmt: skip
    """A delivery still pending (nothing dispatches it before the replay is asked)."""
    await publish(js, hooks, event(f"{subject}.pending", tenant))
    page = await webhooks.list_deliveries(
        endpoint, "pending", admin_of(tenant), hooks, limit=1, cursor=None
    )
    return page.items[0].id


async def _reported(
    hooks: WebhookDeps, tenant: uuid.UUID, subject: str
) -> list[delivery_events_pb2.DeliveryReported]:
    from crm_common.events.envelope import parse_envelope

    async with hooks.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(OutboxMessage.payload).where(
                OutboxMessage.subject == subject, OutboxMessage.tenant_id == str(tenant)
            )
        )
        found = []
        for data in rows:
            report = delivery_events_pb2.DeliveryReported()
            parse_envelope(data).payload.Unpack(report)
            found.append(report)
        return found
