"""Event propagation, end to end through outbox, relay, JetStream, a durable consumer
and the next outbox: from the moment the client sends the change to the moment
the reacting service's own event is on NATS (a plain subscription sees it)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
import nats
from nats.aio.msg import Msg

from bench.seed import Seeded, ok
from bench.stats import latency_summary
from crm.inventory.v1 import billing_pb2
from crm.notifications.v1 import notifications_pb2
from crm_common.events.envelope import parse_envelope, unpack_payload

INVOICE_DRAFTED = "crm.inventory.invoice.drafted"
STOCK_RESERVED = "crm.inventory.stock.reserved"
# Announced in the same transaction that stores the notification: once it is on NATS,
# the owner's notification centre (and their live stream) shows it.
NOTIFICATION_CREATED = "crm.notifications.created"
WAIT_SECONDS = 20.0  # one event later than this counts as lost
PAUSE_SECONDS = 0.2  # between probes: each is measured on a quiet path


class Arrivals:
    """When each awaited id was seen on NATS (``perf_counter`` seconds)."""

    def __init__(self, key: Callable[[bytes], str]) -> None:
        self._key = key
        self._seen: dict[str, float] = {}
        self._waiters: dict[str, asyncio.Event] = {}

    async def on_message(self, msg: Msg) -> None:
        at = time.perf_counter()
        try:
            key = self._key(msg.data)
        except Exception:  # an event of another shape: not ours
            return
        self._seen.setdefault(key, at)
        self._waiters.setdefault(key, asyncio.Event()).set()

    async def wait(self, key: str, within: float) -> float | None:
        event = self._waiters.setdefault(key, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), within)
        except TimeoutError:
            return None
        return self._seen[key]


def _invoice_deal_id(data: bytes) -> str:
    return unpack_payload(parse_envelope(data), billing_pb2.InvoiceEvent).deal_id


def _notified_record_id(data: bytes) -> str:
    created = unpack_payload(parse_envelope(data), notifications_pb2.NotificationCreated)
    return created.notification.record_id


def _reserved_order_id(data: bytes) -> str:
    return parse_envelope(data).subject_id  # the order's id


async def measure(
    nats_url: str, subject: str, key: Callable[[bytes], str],
    ids: list[str], trigger: Callable[[str], Awaitable[str]],
) -> dict[str, object]:  # fmt: skip
    """For each id: trigger the change, wait for the reacting event (keyed by what the
    trigger returns: the id, or the id of a record it made); p50/p99 of the gaps."""
    client = await nats.connect(nats_url)
    arrivals = Arrivals(key)
    try:
        await client.subscribe(subject, cb=arrivals.on_message)
        await client.flush()
        gaps, lost = [], 0
        for item in ids:
            started = time.perf_counter()
            key = await trigger(item)
            seen = await arrivals.wait(key, WAIT_SECONDS)
            if seen is None:
                lost += 1
            else:
                gaps.append(seen - started)
            await asyncio.sleep(PAUSE_SECONDS)
    finally:
        await client.close()
    return {"samples": len(gaps), "lost": lost, **latency_summary(gaps)}


async def deal_won_to_invoice(
    http: httpx.AsyncClient, seeded: Seeded, nats_url: str, deal_ids: list[str]
) -> dict[str, object]:
    async def win(deal_id: str) -> str:
        body = {"stage_id": seeded.won_stage_id}
        ok(await http.patch(f"/api/v1/deals/{deal_id}", json=body, headers=seeded.headers))
        return deal_id

    return await measure(nats_url, INVOICE_DRAFTED, _invoice_deal_id, deal_ids, win)


async def order_confirmed_to_reserved(
    http: httpx.AsyncClient, seeded: Seeded, nats_url: str, count: int
) -> dict[str, object]:
    orders = [await _draft_order(http, seeded, i) for i in range(count)]

    async def confirm(order_id: str) -> str:
        path = f"/api/v1/sales-orders/{order_id}/confirm"
        ok(await http.post(path, json={}, headers=seeded.headers))
        return order_id

    return await measure(nats_url, STOCK_RESERVED, _reserved_order_id, orders, confirm)


async def _draft_order(http: httpx.AsyncClient, seeded: Seeded, i: int) -> str:
    """Quote -> send -> accept: a draft sales order of one stock-tracked product."""
    line = {"product_id": seeded.product_ids[i % len(seeded.product_ids)], "quantity": "1"}
    body = {"name": f"Probe order {i}", "account_id": seeded.account_ids[i],
            "currency": "EUR", "lines": [line]}  # fmt: skip
    quote = ok(await http.post("/api/v1/quotes", json=body, headers=seeded.headers), 201)
    path = f"/api/v1/quotes/{quote['id']}"
    ok(await http.post(f"{path}/send", json={}, headers=seeded.headers))
    accepted = ok(await http.post(f"{path}/accept", json={}, headers=seeded.headers))
    return str(accepted["order"]["id"])


async def lead_created_to_notification(
    http: httpx.AsyncClient, seeded: Seeded, nats_url: str, count: int
) -> dict[str, object]:
    """The admin creates a lead owned by another user, who is notified (rule: assigned)."""

    async def create(name: str) -> str:
        body = {"first_name": "Probe", "last_name": name, "company": "Probe Ltd",
                "owner_id": seeded.probe_owner_id}  # fmt: skip
        lead = ok(await http.post("/api/v1/leads", json=body, headers=seeded.headers), 201)
        return str(lead["id"])

    names = [f"Probe{i:04d}" for i in range(count)]
    return await measure(nats_url, NOTIFICATION_CREATED, _notified_record_id, names, create)
