"""Records the answer of a POST that claimed an Idempotency-Key.

The claim is made by a route dependency (it needs the authenticated caller);
this middleware sees the complete response, including error responses produced
by exception handlers, and stores it, or releases the key on a 5xx or a crash.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.idempotency import STORED_HEADERS, Claim, StoredResponse

log = logging.getLogger("crm.gateway.idempotency")

CLAIM_STATE_KEY = "idempotency_claim"


class IdempotencyRecorderMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})  # the dict behind request.state
        status = 500
        headers: dict[str, str] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = int(message["status"])
                kept = MutableHeaders(scope=message)
                headers = {name: kept[name] for name in STORED_HEADERS if name in kept}
            elif message["type"] == "http.response.body" and state.get(CLAIM_STATE_KEY):
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except Exception:
            await _settle(state.get(CLAIM_STATE_KEY), None)
            raise
        response = StoredResponse(status, headers, b"".join(chunks))
        await _settle(state.get(CLAIM_STATE_KEY), response)


async def _settle(claim: Claim | None, response: StoredResponse | None) -> None:
    if claim is None:
        return
    try:
        if response is not None and response.status < 500:
            await claim.complete(response)
        else:
            await claim.release()  # a failed attempt may be retried with the same key
    except (RedisError, OSError) as exc:
        # The answer already left; the in-flight marker expires on its own.
        log.warning("could not record idempotent response: %s", exc)
