"""What the fault tests look at: bounded polls, problem+json answers, and the
events in JetStream, counted per subject and per record."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import nats
from nats.errors import TimeoutError as NatsTimeoutError
from prometheus_client.parser import text_string_to_metric_families

from crm_common.events.envelope import parse_envelope

T = TypeVar("T")
PROBLEM_JSON = "application/problem+json"
# The gateway's upstream deadline is 5 s (one retry budget for reads on top); an
# answer slower than this counts as a hung request.
REQUEST_TIMEOUT_SECONDS = 12.0


def wait_for(
    check: Callable[[], T | None], *, timeout: float, what: str, interval: float = 0.2
) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout:g}s: {what} (last: {result!r})")
        time.sleep(interval)


def assert_problem(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    """A failure the client can read: one of ``statuses``, as RFC 9457 problem+json."""
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code, body
    return body


def event_counts(nats_url: str, subject: str, limit: int = 5000) -> Counter[str]:
    """How many messages on ``subject`` the stream holds about each record
    (envelope ``subject_id``); also checks that no event id appears twice."""
    return asyncio.run(_event_counts(nats_url, subject, limit))


async def _event_counts(nats_url: str, subject: str, limit: int) -> Counter[str]:
    client = await nats.connect(nats_url, connect_timeout=5, max_reconnect_attempts=1)
    per_record: Counter[str] = Counter()
    event_ids: Counter[str] = Counter()
    try:
        js = client.jetstream()
        sub = await js.subscribe(subject, ordered_consumer=True)
        try:
            for _ in range(limit):
                try:
                    msg = await sub.next_msg(timeout=5)
                except (NatsTimeoutError, TimeoutError):
                    break  # nothing (more) on this subject
                envelope = parse_envelope(msg.data)
                per_record[envelope.subject_id] += 1
                event_ids[envelope.id] += 1
                if msg.metadata.num_pending == 0:
                    break  # that was the last one stored so far
        finally:
            await sub.unsubscribe()
    finally:
        await client.close()
    repeated = [event_id for event_id, count in event_ids.items() if count > 1]
    assert not repeated, f"event ids stored twice in the stream: {repeated[:5]}"
    return per_record


def metric(url: str, sample: str, **labels: str) -> float:
    """The value of one sample (name and labels) that a process's /metrics shows; 0
    when it has none yet."""
    text = httpx.get(url, timeout=5).text
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == sample and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


def consumer_settled(nats_url: str, consumer: str) -> bool:
    """The durable consumer has nothing pending and nothing waiting for an ack."""
    return asyncio.run(_consumer_settled(nats_url, consumer))


async def _consumer_settled(nats_url: str, consumer: str) -> bool:
    client = await nats.connect(nats_url, connect_timeout=5, max_reconnect_attempts=1)
    try:
        info = await client.jetstream().consumer_info("CRM_EVENTS", consumer)
    finally:
        await client.close()
    return not info.num_pending and not info.num_ack_pending
