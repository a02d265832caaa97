"""Webhooks end to end (real processes, real NATS and PostgreSQL, a real HTTP
receiver on 127.0.0.1): the receiver verifies each delivery with the recipe of
docs/webhooks.md; a receiver down for a minute gets every delivery afterwards,
in order; an event published twice is delivered once; replay sends a copy;
another tenant's endpoint never hears this tenant's events."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import nats
import pytest

from crm.sales.v1 import events_pb2
from crm_common.events.envelope import NewEvent, build_envelope
from tests.integration.access_org import Org, build_org
from tests.integration.api import Api
from tests.integration.conftest import Stack

WAIT_SECONDS = 30.0  # a bound for the loops, not a measurement
DOWN_SECONDS = 60.0  # how long the receiver stays down


# ---- docs/webhooks.md, "Verifying a delivery", as written there ----

TOLERANCE_SECONDS = 5 * 60


def verify_webhook(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """True when the request was signed with ``secret`` less than 5 minutes ago.

    ``headers``: the request's headers (look-ups must ignore case, as every HTTP
    framework's do); ``body``: the raw request body, exactly as received."""
    timestamp = headers.get("X-CRM-Timestamp", "")
    signature = headers.get("X-CRM-Signature", "")
    if not timestamp.isdigit() or not signature.startswith("v1="):
        return False
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    signed = timestamp.encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.removeprefix("v1="))


# ---- a receiver ----


@dataclass
class Received:
    headers: httpx.Headers  # case-insensitive, as a framework's
    body: bytes
    verified: bool

    @property
    def json(self) -> dict[str, Any]:
        import json

        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """A ThreadingHTTPServer on 127.0.0.1 that verifies each POST with the recipe
    (401 when it fails, as the docs advise) and records it."""

    secret: str = ""
    port: int = 0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/crm-hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = httpx.Headers(list(self.headers.items()))
                ok = verify_webhook(receiver.secret, headers, body)
                with receiver.lock:
                    receiver.received.append(Received(headers, body, ok))
                self.send_response(204 if ok else 401)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        # Same port again after a stop (allow_reuse_address is set by HTTPServer).
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r.json for r in self.received if r.verified]

    def wait_for(self, count: int, what: str) -> list[dict[str, Any]]:
        return self.wait_until(lambda events: len(events) >= count, what)

    def wait_until(
        self, check: Callable[[list[dict[str, Any]]], bool], what: str
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + WAIT_SECONDS
        while not check(self.events()):
            assert time.monotonic() < deadline, f"not within {WAIT_SECONDS}s: {what}"
            time.sleep(0.05)
        return self.events()


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return org.api.http.request(method, path, headers=org.headers(who), **kw)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


@pytest.fixture
def hook(org: Org, receiver: Receiver) -> Iterator[Callable[..., dict[str, Any]]]:
    """Registers endpoints of the org's tenant (admin) for the test; deleted after it."""
    made: list[tuple[str, str]] = []

    def register(*event_types: str, who: str = "admin", url: str = "") -> dict[str, Any]:
        body = {"url": url or receiver.url, "description": "test", "event_types": list(event_types)}
        created: dict[str, Any] = _ok(_as(org, who, "POST", "/api/v1/webhooks", json=body), 201)
        made.append((who, created["id"]))
        return created

    yield register
    for who, webhook_id in made:
        _as(org, who, "DELETE", f"/api/v1/webhooks/{webhook_id}")


def _lead(org: Org, who: str = "admin") -> str:
    body = {"last_name": f"L{uuid.uuid4().hex[:6]}", "company": "Hooks Inc"}
    return str(_ok(_as(org, who, "POST", "/api/v1/leads", json=body), 201)["id"])


def _log(org: Org, webhook_id: str, **params: Any) -> list[dict[str, Any]]:
    page = _ok(_as(org, "admin", "GET", f"/api/v1/webhooks/{webhook_id}/deliveries",
                   params={"limit": 200, **params}))  # fmt: skip
    items: list[dict[str, Any]] = page["items"]
    return items


def _settled_log(org: Org, webhook_id: str) -> list[dict[str, Any]]:
    """The log once nothing is pending (the receiver may have an answer before the
    dispatcher wrote it down)."""
    deadline = time.monotonic() + WAIT_SECONDS
    log = _log(org, webhook_id)
    while any(e["status"] == "pending" for e in log):
        assert time.monotonic() < deadline, f"deliveries still pending: {log}"
        time.sleep(0.05)
        log = _log(org, webhook_id)
    return log


def test_endpoints_secret_once_etag_and_field_errors(org: Org, hook: Callable[..., Any]) -> None:
    created = hook("crm.sales.deal.*")
    assert created["secret"].startswith("whsec_") and created["active"] is True
    path = f"/api/v1/webhooks/{created['id']}"
    got = _as(org, "admin", "GET", path)
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    assert "secret" not in got.json()
    assert created["id"] in [
        w["id"] for w in _ok(_as(org, "admin", "GET", "/api/v1/webhooks"))["items"]
    ]
    if_match = {**org.headers("admin"), "If-Match": '"1"'}
    changed = org.api.http.patch(path, json={"description": "deals"}, headers=if_match)
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    stale = org.api.http.patch(path, json={"description": "x"}, headers=if_match)
    assert stale.status_code == 409
    rotated = _ok(_as(org, "admin", "POST", f"{path}/rotate-secret"))
    assert rotated["secret"] != created["secret"] and rotated["secret"].startswith("whsec_")
    bad = _as(org, "admin", "POST", "/api/v1/webhooks",
              json={"url": "http://hooks.example.com/x", "event_types": ["crm..x"]})  # fmt: skip
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == ["event_types[0]", "url"]
    assert _as(org, "manager", "GET", "/api/v1/webhooks").status_code == 403


def test_a_receiver_verifies_the_signature_with_the_documented_recipe(
    org: Org, receiver: Receiver, hook: Callable[..., Any]
) -> None:
    created = hook("crm.sales.lead.created")
    receiver.secret = created["secret"]
    lead = _lead(org)
    (delivered,) = [e for e in receiver.wait_for(1, "the lead's delivery")]
    assert delivered["type"] == "crm.sales.lead.created"
    assert delivered["subject_id"] == lead and delivered["tenant_id"] == org.tenant.id
    assert delivered["data"]["lead_id"] == lead
    (got,) = receiver.received
    assert got.verified and got.headers["X-CRM-Event-Type"] == "crm.sales.lead.created"
    assert not verify_webhook("whsec_wrong", got.headers, got.body)
    assert not verify_webhook(created["secret"], got.headers, got.body + b" ")
    (entry,) = _settled_log(org, created["id"])
    assert entry["id"] == got.headers["X-CRM-Webhook-Id"] and entry["event_id"] == delivered["id"]
    assert entry["status"] == "delivered" and entry["attempts"] == 1
    assert entry["last_status_code"] == 204 and entry["delivered_at"]


@pytest.mark.slow
def test_a_receiver_down_for_a_minute_gets_every_delivery_afterwards_in_order(
    org: Org, receiver: Receiver, hook: Callable[..., Any]
) -> None:
    created = hook("crm.sales.lead.created")
    receiver.secret = created["secret"]
    _lead(org)
    receiver.wait_for(1, "a first delivery while up")
    receiver.stop()
    leads = [_lead(org) for _ in range(6)]
    down_until = time.monotonic() + DOWN_SECONDS
    while time.monotonic() < down_until:
        time.sleep(1.0)
    log = {e["event_id"]: e for e in _log(org, created["id"])}
    pending = sorted(
        (e for e in log.values() if e["status"] == "pending"), key=lambda e: e["created_at"]
    )
    assert len(pending) == 6  # none given up on
    # Only the oldest was tried (many times); the others wait their turn.
    assert pending[0]["attempts"] > 1 and pending[0]["last_error"]
    assert [e["attempts"] for e in pending[1:]] == [0] * 5
    receiver.start()  # the same port again
    events = receiver.wait_for(7, "every delivery after the outage")
    assert [e["subject_id"] for e in events[1:]] == leads
    statuses = [e["status"] for e in _settled_log(org, created["id"])]
    assert statuses == ["delivered"] * 7


def test_an_event_published_twice_is_delivered_once(
    org: Org, stack: Stack, receiver: Receiver, hook: Callable[..., Any]
) -> None:
    created = hook("crm.sales.lead.created")
    receiver.secret = created["secret"]
    twice = NewEvent("crm.sales.lead.created", org.tenant.id, str(uuid.uuid4()),
                     events_pb2.LeadChanged(status="new"))  # fmt: skip
    asyncio.run(_publish_twice(stack.infra.nats_url, twice))
    after = _lead(org)  # queued after both copies were consumed (the consumer keeps order)
    events = receiver.wait_for(2, "the event and the lead after it")
    assert [e["id"] for e in events] == [twice.id, events[1]["id"]]
    assert events[1]["subject_id"] == after
    assert [e["event_id"] for e in _settled_log(org, created["id"])].count(twice.id) == 1


async def _publish_twice(nats_url: str, event: NewEvent) -> None:
    """As a relay that crashed between publish and commit, past JetStream's
    de-duplication window: the same event under two message ids."""
    client = await nats.connect(nats_url)
    try:
        data = build_envelope(event, source="sales").SerializeToString()
        for copy in ("a", "b"):
            await client.jetstream().publish(
                event.type, data, headers={"Nats-Msg-Id": f"{event.id}-{copy}"}
            )
    finally:
        await client.close()


def test_replay_sends_a_copy_of_the_same_event(
    org: Org, receiver: Receiver, hook: Callable[..., Any]
) -> None:
    created = hook("crm.sales.lead.created")
    receiver.secret = created["secret"]
    lead = _lead(org)
    (first,) = receiver.wait_for(1, "the delivery")
    (entry,) = _settled_log(org, created["id"])
    # Rotated: the copy is signed with the new secret.
    rotated = _ok(_as(org, "admin", "POST", f"/api/v1/webhooks/{created['id']}/rotate-secret"))
    receiver.secret = rotated["secret"]
    path = f"/api/v1/webhooks/{created['id']}/deliveries/{entry['id']}/replay"
    copy = _ok(_as(org, "admin", "POST", path), 201)
    assert copy["replay_of"] == entry["id"] and copy["id"] != entry["id"]
    assert copy["event_id"] == entry["event_id"] and copy["status"] == "pending"
    events = receiver.wait_for(2, "the replay")
    assert events[1] == first and events[1]["subject_id"] == lead
    assert receiver.received[1].headers["X-CRM-Webhook-Id"] == copy["id"]
    assert not verify_webhook(
        created["secret"], receiver.received[1].headers, receiver.received[1].body
    )
    log = _settled_log(org, created["id"])
    assert [(e["id"], e["status"]) for e in log] == [
        (copy["id"], "delivered"),
        (entry["id"], "delivered"),
    ]
    missing = f"/api/v1/webhooks/{created['id']}/deliveries/{uuid.uuid4()}/replay"
    assert _as(org, "admin", "POST", missing).status_code == 404


def test_another_tenants_webhook_never_receives_this_tenants_events(
    org: Org, receiver: Receiver, hook: Callable[..., Any]
) -> None:
    theirs = Receiver().start()
    try:
        other = hook("crm.>", who="other_tenant", url=theirs.url)
        theirs.secret = other["secret"]
        mine = hook("crm.sales.lead.created")
        receiver.secret = mine["secret"]
        lead = _lead(org)
        receiver.wait_for(1, "this tenant's delivery")
        # Their own event reaches them (their endpoint works; it came after ours) ...
        their_lead = _lead(org, who="other_tenant")
        theirs.wait_until(
            lambda events: their_lead in [e["subject_id"] for e in events], "their own lead"
        )
        # ... and nothing of this tenant's ever did.
        assert {e["tenant_id"] for e in theirs.events()} == {org.other.id}
        assert lead not in [e["subject_id"] for e in theirs.events()]
        for path in (f"/api/v1/webhooks/{mine['id']}", f"/api/v1/webhooks/{mine['id']}/deliveries"):
            assert _as(org, "other_tenant", "GET", path).status_code == 404
        assert mine["id"] not in [
            w["id"] for w in _ok(_as(org, "other_tenant", "GET", "/api/v1/webhooks"))["items"]
        ]
    finally:
        theirs.stop()
