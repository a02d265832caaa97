"""Outermost gateway middleware: request id in and out, log binding, and the
last-resort 500 problem (it knows the request id, ServerErrorMiddleware does not)."""

from __future__ import annotations

import logging
import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_common.auth import ANONYMOUS, reset_current_principal, set_current_principal
from crm_common.logging import bind_request, unbind
from gateway.problem import ProblemError, problem_response

log = logging.getLogger("crm.gateway")

REQUEST_ID_HEADER = "X-Request-ID"
# A client-chosen id is echoed into logs and headers: keep it short and plain.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from(headers: Headers) -> str:
    given = headers.get(REQUEST_ID_HEADER, "")
    return given if _VALID_ID.match(given) else uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope))
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        log_tokens = bind_request(request_id)
        # Each request starts anonymous, whatever ran before in this context.
        principal_token = set_current_principal(ANONYMOUS)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            problem = ProblemError(500, "internal error")
            await problem_response(problem, scope["path"])(scope, receive, send_with_id)
        finally:
            reset_current_principal(principal_token)
            unbind(log_tokens)
