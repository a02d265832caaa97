"""The ASGI application: middleware, routers, error handlers, and a lifespan
that owns the outbound clients. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from gateway.collaborators import Collaborators, build_collaborators
from gateway.config import GatewaySettings
from gateway.exception_handlers import install_exception_handlers
from gateway.middleware.body_limit import BodyLimitMiddleware
from gateway.middleware.http_metrics import HttpMetricsMiddleware
from gateway.middleware.idempotency import IdempotencyRecorderMiddleware
from gateway.middleware.request_context import REQUEST_ID_HEADER, RequestContextMiddleware
from gateway.openapi import install_openapi
from gateway.routes import api_router, health, wellknown

UNTRACED_PATHS = "/healthz,/readyz,/metrics"
CORS_EXPOSED = [REQUEST_ID_HEADER, "ETag", "Location", "Retry-After", "Idempotent-Replayed"]
CORS_ALLOWED = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "X-API-Key",
    REQUEST_ID_HEADER,
]


def create_app(settings: GatewaySettings, collaborators: Collaborators | None = None) -> FastAPI:
    """The gateway. With ``collaborators`` (tests) they are used as they are and not
    closed; without, the lifespan builds real ones from settings and closes them."""
    app = FastAPI(
        title="CRM API",
        version="1.0.0",
        description="REST/JSON API of the CRM platform. Errors are application/problem+json.",
        lifespan=_lifespan(settings),
        middleware=_middleware(settings),
    )
    app.state.settings = settings
    app.state.collaborators = collaborators
    install_exception_handlers(app)
    app.include_router(api_router())
    app.include_router(wellknown.router)
    app.include_router(health.router)
    install_openapi(app)
    FastAPIInstrumentor.instrument_app(app, excluded_urls=UNTRACED_PATHS)
    return app


def _middleware(settings: GatewaySettings) -> list[Middleware]:
    """Outermost first. The request id wraps everything so every answer carries it."""
    stack = [Middleware(RequestContextMiddleware), Middleware(HttpMetricsMiddleware)]
    if settings.cors_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PATCH", "DELETE"],
                allow_headers=CORS_ALLOWED,
                expose_headers=CORS_EXPOSED,
                max_age=600,
            )
        )
    stack.append(Middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes))
    stack.append(Middleware(IdempotencyRecorderMiddleware))
    return stack


def _lifespan(
    settings: GatewaySettings,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.collaborators is not None:  # given by the caller, who owns them
            yield
            return
        collaborators = build_collaborators(settings)
        app.state.collaborators = collaborators
        try:
            yield
        finally:
            await collaborators.aclose()
            app.state.collaborators = None

    return lifespan
