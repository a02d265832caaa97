"""One delivery attempt against a real HTTP server on 127.0.0.1 (no database):
2xx is success, redirects are not followed, large answers are read only in
part, a slow receiver times out, a refused connection and private targets
(when not allowed) are failures with a plain reason."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from crm_common.db import UnitOfWork
from crm_devstack.net import free_port
from notifications.adapters.webhook_repository import Claimed
from notifications.domain.webhooks import RetryPolicy
from notifications.service_layer.webhook_dispatch import (
    AttemptResult,
    DispatchSettings,
    WebhookDispatcher,
    new_client,
)

SECRET = "whsec_unit"
BODY = '{"id":"e1","type":"crm.sales.deal.created","data":{"name":"Ä"}}'


class Server:
    def __init__(self) -> None:
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.bodies: list[bytes] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                server.paths.append(self.path)
                server.headers.append(dict(self.headers.items()))
                server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/slow":
                    time.sleep(1.5)
                code = {"/redirect": 302, "/error": 500}.get(self.path, 200)
                self.send_response(code)
                if code == 302:
                    self.send_header("Location", "/elsewhere")
                size = 4 * 1024 * 1024 if self.path == "/huge" else 2
                self.send_header("Content-Length", str(size))
                self.end_headers()
                with contextlib.suppress(OSError):  # the dispatcher stopped reading
                    self.wfile.write(b"x" * size)

            def log_message(self, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.http.server_address[1]
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server() -> Iterator[Server]:
    started = Server()
    yield started
    started.stop()


def claimed(url: str) -> Claimed:
    return Claimed(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4(),
                   "crm.sales.deal.created", BODY, 1, url, SECRET)  # fmt: skip


def no_database() -> UnitOfWork:
    raise AssertionError("an attempt alone needs no database")


async def attempt(url: str, *, private: bool = True, timeout: float = 5.0) -> AttemptResult:
    client = new_client(timeout)
    try:
        settings = DispatchSettings(RetryPolicy(), timeout, allow_private_targets=private)
        return await WebhookDispatcher(no_database, client, settings).attempt(claimed(url))
    finally:
        await client.aclose()


async def test_a_2xx_is_delivered_signed_over_the_exact_body(server: Server) -> None:
    result = await attempt(f"http://127.0.0.1:{server.port}/ok")
    assert result.ok and result.status_code == 200 and result.error == ""
    (headers,) = server.headers
    assert server.bodies == [BODY.encode()]
    signed = headers["X-CRM-Timestamp"].encode() + b"." + server.bodies[0]
    mac = hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert headers["X-CRM-Signature"] == f"v1={mac}"


async def test_redirects_are_not_followed(server: Server) -> None:
    result = await attempt(f"http://127.0.0.1:{server.port}/redirect")
    assert not result.ok and result.status_code == 302
    assert "redirects are not followed" in result.error
    assert server.paths == ["/redirect"]


async def test_an_error_status_fails(server: Server) -> None:
    result = await attempt(f"http://127.0.0.1:{server.port}/error")
    assert (result.ok, result.status_code, result.error) == (False, 500, "HTTP 500")


async def test_a_huge_answer_is_read_only_in_part(server: Server) -> None:
    result = await attempt(f"http://127.0.0.1:{server.port}/huge")
    assert result.ok


async def test_a_slow_receiver_times_out(server: Server) -> None:
    result = await attempt(f"http://127.0.0.1:{server.port}/slow", timeout=0.3)
    assert not result.ok and result.status_code is None and "timed out" in result.error


async def test_a_closed_port_is_a_connection_failure() -> None:
    result = await attempt(f"http://127.0.0.1:{free_port()}/")
    assert (result.ok, result.status_code, result.error) == (False, None, "connection failed")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_private_targets_are_refused_unless_allowed(server: Server, host: str) -> None:
    result = await attempt(f"http://{host}:{server.port}/ok", private=False)
    assert not result.ok and result.error.startswith("refused")
    assert server.paths == []
