"""Server interceptor: principal, request id, error mapping, metrics, logs.

One interceptor does all of them so that their order is explicit in one place:
correlation ids and the principal are bound first, errors are mapped last.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
from grpc_status import rpc_status

from crm_common import errors
from crm_common.auth import decode_principal, reset_current_principal, set_current_principal
from crm_common.grpc.errors import internal_status, to_status
from crm_common.grpc.nul_check import refuse_nul_characters
from crm_common.grpc.outages import is_outage
from crm_common.logging import bind_request, unbind
from crm_common.metrics import GRPC_DURATION, GRPC_REQUESTS

log = logging.getLogger("crm.grpc")

REQUEST_ID_HEADER = "x-request-id"
UNAVAILABLE = "a dependency is unavailable; retry later"
_CODE_BY_VALUE = {code.value[0]: code for code in grpc.StatusCode}


class _Outcome:
    code: grpc.StatusCode = grpc.StatusCode.OK


DeniedHook = Callable[[str, errors.PermissionDenied], Awaitable[None]]


class ServerInterceptor(grpc.aio.ServerInterceptor):
    def __init__(
        self, service: str, internal_secret: str, on_denied: DeniedHook | None = None
    ) -> None:
        self._service = service
        self._secret = internal_secret
        self._on_denied = on_denied  # e.g. publish crm.<service>.access.denied for the audit

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        method = details.method
        if handler is not None and handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap_unary(handler.unary_unary, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler is not None and handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                self._wrap_stream(handler.unary_stream, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    def _wrap_unary(self, behavior: Callable[..., Any], method: str) -> Callable[..., Any]:
        async def wrapper(request: Any, context: grpc.aio.ServicerContext) -> Any:
            async with self._call(method, context):
                refuse_nul_characters(request)
                return await behavior(request, context)

        return wrapper

    def _wrap_stream(self, behavior: Callable[..., Any], method: str) -> Callable[..., Any]:
        async def wrapper(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            async with self._call(method, context):
                refuse_nul_characters(request)
                async for item in behavior(request, context):
                    yield item

        return wrapper

    @asynccontextmanager
    async def _call(self, method: str, context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
        started = time.perf_counter()
        outcome = _Outcome()
        metadata = {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
        principal_token = None
        log_tokens = bind_request(metadata.get(REQUEST_ID_HEADER, ""))
        try:
            principal = decode_principal(metadata, self._secret)
            principal_token = set_current_principal(principal)
            unbind(log_tokens)
            log_tokens = bind_request(metadata.get(REQUEST_ID_HEADER, ""), principal.tenant_id)
            yield
        except errors.CrmError as exc:
            if isinstance(exc, errors.PermissionDenied):
                await self._report_denied(method, exc)
            await _abort(context, to_status(exc), outcome)
        except grpc.aio.AbortError:
            outcome.code = grpc.StatusCode.UNKNOWN  # the servicer aborted on its own
            raise
        except Exception as exc:
            if is_outage(exc):  # a dependency is down: the caller may retry (503)
                log.warning("%s failed, a dependency is unavailable: %r", method, exc)
                await _abort(context, to_status(errors.Unavailable(UNAVAILABLE)), outcome)
            else:
                log.exception("unhandled error in %s", method)
                await _abort(context, internal_status(), outcome)
        finally:
            if principal_token is not None:
                reset_current_principal(principal_token)
            unbind(log_tokens)
            GRPC_REQUESTS.labels(self._service, method, outcome.code.name).inc()
            GRPC_DURATION.labels(self._service, method).observe(time.perf_counter() - started)

    async def _report_denied(self, method: str, exc: errors.PermissionDenied) -> None:
        if self._on_denied is None:
            return
        try:
            await self._on_denied(method, exc)
        except Exception:  # auditing must never turn a 403 into a 500
            log.exception("could not record the refused call to %s", method)


async def _abort(context: grpc.aio.ServicerContext, status: Any, outcome: _Outcome) -> None:
    outcome.code = _CODE_BY_VALUE.get(status.code, grpc.StatusCode.UNKNOWN)
    await context.abort_with_status(rpc_status.to_status(status))
