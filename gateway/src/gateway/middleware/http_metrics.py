"""RED metrics per route template: ``/api/v1/users/{id}``, never the raw path,
so the number of series stays bounded whatever ids clients send."""

from __future__ import annotations

import time
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.metrics import HTTP_DURATION, HTTP_REQUESTS

UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The matched route's full template. ``scope["route"]`` is the route as declared
    in its router (``/users/{id}``), so the prefixes come from the app's route table."""
    route = scope.get("route")
    if route is None:
        return UNMATCHED
    template = _templates(scope.get("app")).get(id(route))
    return template or getattr(route, "path", None) or UNMATCHED


def _templates(app: Any) -> dict[int, str]:
    """id(declared route) -> full path template, computed once per app (routes live
    as long as their app, and are not hashable)."""
    state = getattr(app, "state", None)
    if state is None:
        return {}
    cached: dict[int, str] | None = getattr(state, "route_templates", None)
    if cached is None:
        cached = {
            id(context.original_route): context.path_format
            for context in iter_route_contexts(app.routes)
            if context.path_format
        }
        state.route_templates = cached
    return cached


class HttpMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # stays 500 when the app raises before answering
        started_at = time.perf_counter()

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            method, route = scope["method"], route_template(scope)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_DURATION.labels(method, route).observe(time.perf_counter() - started_at)
