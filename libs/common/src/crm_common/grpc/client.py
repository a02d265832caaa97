"""Client channels: a deadline on every call, retries only for idempotent reads,
the caller's principal and request id forwarded in metadata, traces propagated."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import grpc
from opentelemetry.instrumentation.grpc import aio_client_interceptors

from crm_common.auth import current_principal, encode_principal
from crm_common.grpc.interceptors import REQUEST_ID_HEADER
from crm_common.logging import request_id_var

DEFAULT_DEADLINE_SECONDS = 5.0


def retry_service_config(service: str, idempotent_methods: Sequence[str]) -> str:
    """gRPC service config retrying only the named (read-only) methods on UNAVAILABLE.
    A method is ``Name`` (of ``service``) or ``package.Service/Name`` (another service
    served at the same address)."""
    if not idempotent_methods:
        return json.dumps({"methodConfig": []})
    names = [
        {"service": m.split("/")[0], "method": m.split("/")[1]}
        if "/" in m
        else {"service": service, "method": m}
        for m in idempotent_methods
    ]
    return json.dumps(
        {
            "methodConfig": [
                {
                    "name": names,
                    "retryPolicy": {
                        "maxAttempts": 3,
                        "initialBackoff": "0.05s",
                        "maxBackoff": "0.5s",
                        "backoffMultiplier": 2,
                        "retryableStatusCodes": ["UNAVAILABLE"],
                    },
                }
            ]
        }
    )


class _ContextMetadata:
    """Adds a deadline when the caller gave none, plus principal and request id.
    (grpc.aio files an interceptor under one call type only, so each type gets its
    own subclass below.)"""

    def __init__(self, internal_secret: str, default_deadline: float) -> None:
        self._secret = internal_secret
        self._deadline = default_deadline

    def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        metadata = list(details.metadata or [])
        principal = current_principal()
        if principal.is_authenticated:
            metadata += encode_principal(principal, self._secret)
        request_id = request_id_var.get()
        if request_id:
            metadata.append((REQUEST_ID_HEADER, request_id))
        return grpc.aio.ClientCallDetails(
            method=details.method,
            timeout=details.timeout if details.timeout is not None else self._deadline,
            metadata=grpc.aio.Metadata(*metadata),
            credentials=details.credentials,
            wait_for_ready=details.wait_for_ready,
        )


class _UnaryMetadata(_ContextMetadata, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(
        self, continuation: Callable[..., Any], details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        return await continuation(self._details(details), request)


class _StreamMetadata(_ContextMetadata, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(
        self, continuation: Callable[..., Any], details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        return await continuation(self._details(details), request)


def create_channel(
    target: str,
    *,
    service: str,
    internal_secret: str,
    idempotent_methods: Sequence[str] = (),
    default_deadline: float = DEFAULT_DEADLINE_SECONDS,
) -> grpc.aio.Channel:
    """A channel to ``target`` (host:port) for the full service name ``service``."""
    options = [
        ("grpc.service_config", retry_service_config(service, idempotent_methods)),
        ("grpc.enable_retries", 1),
        ("grpc.keepalive_time_ms", 30_000),
        ("grpc.keepalive_timeout_ms", 10_000),
        # A peer that was down is tried again within seconds, not after gRPC's
        # default backoff of up to two minutes: callers recover soon after it does.
        ("grpc.initial_reconnect_backoff_ms", 500),
        ("grpc.max_reconnect_backoff_ms", 5_000),
    ]
    interceptors = [
        *aio_client_interceptors(),
        _UnaryMetadata(internal_secret, default_deadline),
        _StreamMetadata(internal_secret, default_deadline),
    ]
    return grpc.aio.insecure_channel(target, options=options, interceptors=interceptors)
