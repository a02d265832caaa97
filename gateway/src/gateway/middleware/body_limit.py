"""Request body size limit: 413 problem+json from Content-Length up front, and
from counting streamed bytes for chunked bodies that lie or say nothing."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.problem import ProblemError, problem_response


class BodyTooLargeError(Exception):
    """Raised into the app's ``receive`` once the body passes the limit."""


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self.reply_too_large(scope, receive, send)
            return
        await _LimitedCall(self, scope, receive, send).run()

    async def reply_too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = ProblemError(413, f"request body is larger than {self.max_bytes} bytes")
        await problem_response(problem, scope["path"])(scope, receive, send)


class _LimitedCall:
    """One request: counts bytes; once over the limit the app's own answer (often
    a 400 for the body it could not read) is dropped and a 413 is sent instead."""

    def __init__(self, owner: BodyLimitMiddleware, scope: Scope, receive: Receive, send: Send):
        self.owner, self.scope, self.receive, self.send = owner, scope, receive, send
        self.received = 0
        self.exceeded = False
        self.started = False

    async def run(self) -> None:
        try:
            await self.owner.app(self.scope, self.counting_receive, self.guarded_send)
        except BodyTooLargeError:
            pass
        except Exception:
            if not self.exceeded:
                raise
        if self.exceeded and not self.started:
            await self.owner.reply_too_large(self.scope, self.receive, self.send)

    async def counting_receive(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.owner.max_bytes:
                self.exceeded = True
                raise BodyTooLargeError
        return message

    async def guarded_send(self, message: Message) -> None:
        if self.exceeded and not self.started:
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)
