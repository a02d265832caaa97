"""The webhook dispatcher: a job on every replica that POSTs queued deliveries.

A run claims due heads of the endpoints' queues (``DeliveryQueue.claim``: FOR
UPDATE SKIP LOCKED, then a lease; only the oldest pending delivery of an
endpoint is ever tried, so a receiver gets its deliveries in order, also after
an outage), commits, attempts them concurrently (one per endpoint), and writes
each outcome in a transaction of its own, with ``crm.notifications.delivered``
or ``.failed`` through the outbox when a delivery ends.

Each attempt is signed anew (``domain.webhooks.signed_headers``) with the
endpoint's current secret and the attempt's time. No redirects are followed; at
most ``MAX_RESPONSE_BYTES`` of an answer are read; a whole attempt is bounded by
the timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from prometheus_client import Counter

from crm.notifications.v1 import delivery_events_pb2
from crm_common.db import UnitOfWork, utcnow
from crm_common.events.envelope import NewEvent
from crm_common.runtime import Job
from notifications.adapters.orm_webhooks import WebhookEndpointRow
from notifications.adapters.webhook_repository import Claimed, DeliveryQueue
from notifications.domain import webhooks as rules
from notifications.domain.webhooks import RetryPolicy

DELIVERED_EVENT = "crm.notifications.delivered"
FAILED_EVENT = "crm.notifications.failed"
CHANNEL = "webhook"
BATCH = 50
MAX_RESPONSE_BYTES = 64 * 1024
LEASE_MARGIN_SECONDS = 30.0
log = logging.getLogger("notifications.webhooks")
ATTEMPTS = Counter(
    "crm_webhook_attempts_total",
    "Webhook delivery attempts, all tenants, by outcome (delivered, retry, failed)",
    ["outcome"],
)
DISABLED = Counter("crm_webhook_endpoints_disabled_total", "Webhook endpoints disabled")


@dataclass(frozen=True)
class DispatchSettings:
    policy: RetryPolicy
    timeout_seconds: float = 10.0
    allow_private_targets: bool = False
    concurrency: int = 16


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None  # None: no HTTP answer
    error: str  # "" when delivered

    @property
    def ok(self) -> bool:
        return self.status_code is not None and rules.is_success(self.status_code)


def new_client(timeout_seconds: float) -> httpx.AsyncClient:
    """No redirects; no proxies or credentials from the environment."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
    )


class WebhookDispatcher:
    def __init__(
        self, uow: Callable[[], UnitOfWork], client: httpx.AsyncClient, settings: DispatchSettings
    ) -> None:
        self._uow = uow
        self._client = client
        self._settings = settings
        self._lease = timedelta(seconds=settings.timeout_seconds + LEASE_MARGIN_SECONDS)
        self._limit = asyncio.Semaphore(max(settings.concurrency, 1))

    async def run_once(self, now: datetime | None = None) -> int:
        """Claim and attempt one batch of due heads; how many were attempted."""
        async with self._uow() as uow:
            claimed = await DeliveryQueue(uow.session).claim(now or utcnow(), BATCH, self._lease)
            await uow.commit()
        if claimed:
            await asyncio.gather(*(self._deliver(item) for item in claimed))
        return len(claimed)

    async def drain(self, max_rounds: int = 100) -> int:
        """Runs until nothing is due (bounded); how many attempts were made."""
        total = 0
        for _ in range(max_rounds):
            attempted = await self.run_once()
            total += attempted
            if not attempted:
                break
        return total

    async def _deliver(self, item: Claimed) -> None:
        async with self._limit:
            result = await self.attempt(item)
        try:
            await self._settle(item, result)
        except Exception:  # the lease runs out and the delivery is tried again
            log.exception("webhook delivery %s: could not record the attempt", item.id)

    async def attempt(self, item: Claimed) -> AttemptResult:
        body = item.body.encode()
        headers = rules.signed_headers(
            item.secret, delivery_id=str(item.id), event_type=item.event_type,
            timestamp=int(time.time()), body=body,
        )  # fmt: skip
        try:
            async with asyncio.timeout(self._settings.timeout_seconds):
                refusal = await self._refused_target(item.url)
                if refusal:
                    return AttemptResult(None, refusal)
                return await self._post(item.url, headers, body)
        except TimeoutError:
            return AttemptResult(None, "timed out")
        except httpx.HTTPError as exc:
            return AttemptResult(None, _describe(exc))
        except Exception as exc:  # e.g. httpx.InvalidURL: a failed attempt, not a crash
            return AttemptResult(None, f"could not send: {type(exc).__name__}")

    async def _post(self, url: str, headers: dict[str, str], body: bytes) -> AttemptResult:
        async with self._client.stream("POST", url, content=body, headers=headers) as response:
            read = 0
            async for chunk in response.aiter_raw():  # drained (bounded) for keep-alive
                read += len(chunk)
                if read >= MAX_RESPONSE_BYTES:
                    break
        code = response.status_code
        if rules.is_success(code):
            return AttemptResult(code, "")
        if response.is_redirect:
            return AttemptResult(code, f"HTTP {code}: redirects are not followed")
        return AttemptResult(code, f"HTTP {code}")

    async def _refused_target(self, url: str) -> str:
        """A host name that resolves to a private or loopback address is refused
        unless private targets are allowed (registration checked IP literals)."""
        if self._settings.allow_private_targets:
            return ""
        host = urlsplit(url).hostname or ""
        if rules.is_private_host(host):
            return "refused: the URL points at a private address"
        with contextlib.suppress(ValueError):
            ipaddress.ip_address(host)
            return ""  # a public IP literal
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, None, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError) as exc:
            return f"DNS lookup failed: {getattr(exc, 'strerror', None) or type(exc).__name__}"
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if rules.is_private_address(address):
                return "refused: the host resolves to a private address"
        return ""

    async def _settle(self, item: Claimed, result: AttemptResult) -> None:
        now = utcnow()
        policy = self._settings.policy
        outcome = rules.after_attempt(result.ok, item.attempts, now, policy)
        ATTEMPTS.labels("retry" if outcome.status == rules.PENDING else outcome.status).inc()
        values: dict[str, object] = {
            "status": outcome.status, "last_status_code": result.status_code,
            "last_error": result.error[:500], "next_attempt_at": outcome.next_attempt_at,
        }  # fmt: skip
        if outcome.status == rules.DELIVERED:
            values["delivered_at"] = now
        elif outcome.status == rules.FAILED:
            values["failed_at"] = now
        async with self._uow() as uow:
            queue = DeliveryQueue(uow.session)
            if not await queue.settle(item, values, now):
                return  # the lease ran out and another attempt took over
            endpoint = await queue.endpoint_for_update(item.endpoint_id)
            if endpoint is not None:
                await self._track_endpoint(queue, endpoint, outcome.status, result.ok, now)
            if outcome.status != rules.PENDING:
                uow.record(_reported(item, outcome.status, result.error))
            await uow.commit()
        if outcome.status == rules.FAILED:
            log.warning("webhook delivery %s failed after %d attempts: %s",
                        item.id, item.attempts, result.error)  # fmt: skip

    async def _track_endpoint(
        self, queue: DeliveryQueue, endpoint: WebhookEndpointRow, status: str, ok: bool,
        now: datetime,
    ) -> None:  # fmt: skip
        """The failure streak, and disabling an endpoint that keeps failing."""
        if ok:
            if endpoint.consecutive_failures or endpoint.failing_since is not None:
                values: dict[str, object] = {"consecutive_failures": 0, "failing_since": None}
                await queue.update_endpoint(endpoint.id, values, bump_version=False)
            return
        failures = endpoint.consecutive_failures + (1 if status == rules.FAILED else 0)
        since = endpoint.failing_since or now
        reason = rules.disable_reason(failures, since, now, self._settings.policy)
        changes: dict[str, object] = {"consecutive_failures": failures, "failing_since": since}
        disable = bool(reason) and endpoint.active
        if disable:
            changes.update(active=False, disabled_reason=reason, disabled_at=now)
            log.warning("webhook endpoint %s disabled: %s", endpoint.id, reason)
            DISABLED.inc()
        await queue.update_endpoint(endpoint.id, changes, bump_version=disable)


def _reported(item: Claimed, status: str, error: str) -> NewEvent:
    payload = delivery_events_pb2.DeliveryReported(
        channel=CHANNEL, delivery_id=str(item.id), recipient=str(item.endpoint_id),
        event_id=str(item.event_id), event_type=item.event_type, attempts=item.attempts,
        error=error if status == rules.FAILED else "",
    )  # fmt: skip
    subject = DELIVERED_EVENT if status == rules.DELIVERED else FAILED_EVENT
    return NewEvent(subject, str(item.tenant_id), str(item.id), payload)


def _describe(exc: httpx.HTTPError) -> str:
    """The kind of failure, without the URL (it may carry a token in its query)."""
    kind = type(exc).__name__
    return {
        "ConnectError": "connection failed",
        "ConnectTimeout": "connect timed out",
        "ReadTimeout": "timed out waiting for the answer",
        "WriteTimeout": "timed out sending",
        "PoolTimeout": "no connection available",
        "RemoteProtocolError": "the receiver broke the HTTP protocol",
    }.get(kind, kind)


def dispatch_job(dispatcher: WebhookDispatcher, every: float) -> Job:
    """Every replica: dispatch until nothing is due, then wait ``every`` seconds;
    a failed run is logged and retried at the next tick."""

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                while not stop.is_set() and await dispatcher.run_once():
                    pass
            except Exception:
                log.exception("webhook dispatch failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    return job
