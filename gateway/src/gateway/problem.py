"""RFC 9457 problem details: the one shape of every error the gateway answers.

``ProblemError`` is raised by gateway code; ``exception_handlers`` turns it, and
every other failure, into an ``application/problem+json`` response. The gRPC
status -> HTTP status table lives here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

import grpc
from starlette.responses import JSONResponse

from crm_common.errors import FieldViolation
from crm_common.grpc.errors import RpcFailure
from crm_common.logging import request_id_var

PROBLEM_MEDIA_TYPE = "application/problem+json"
BLANK = "about:blank"

# One gRPC status maps to one HTTP status (DESIGN.md: "How they talk").
GRPC_TO_HTTP: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 422,
    grpc.StatusCode.OUT_OF_RANGE: 422,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}
_UPSTREAM_5XX_DETAIL = {
    503: "an upstream service is unavailable; retry later",
    504: "an upstream service did not answer in time",
    500: "internal error",
}


def http_status_for(code: grpc.StatusCode) -> int:
    return GRPC_TO_HTTP.get(code, 500)


class ProblemError(Exception):
    """An expected HTTP failure raised by gateway code."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type_: str = BLANK,
        title: str | None = None,
        errors: Sequence[FieldViolation] = (),
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.title = title
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


UNAVAILABLE_RETRY_SECONDS = 2


def problem_from_rpc(failure: RpcFailure) -> ProblemError:
    status = http_status_for(failure.code)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 429 and failure.retry_after_seconds:
        headers["Retry-After"] = str(failure.retry_after_seconds)
    if status == 503:
        # A dependency is down or restarting: tell clients when to try again
        # rather than leave each to guess (the fault tests see recovery in seconds).
        headers["Retry-After"] = str(failure.retry_after_seconds or UNAVAILABLE_RETRY_SECONDS)
    # Upstream 5xx messages may carry internals; clients get a fixed sentence.
    detail = _UPSTREAM_5XX_DETAIL.get(status, failure.message) if status >= 500 else failure.message
    return ProblemError(status, detail, errors=failure.violations, headers=headers)


def problem_response(problem: ProblemError, instance: str) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title or _phrase(problem.status),
        "status": problem.status,
        "detail": problem.detail,
        "instance": instance,
        "request_id": request_id_var.get() or None,
        "errors": [{"field": e.field, "message": e.message} for e in problem.errors],
        **problem.extra,
    }
    return JSONResponse(
        body, status_code=problem.status, headers=problem.headers, media_type=PROBLEM_MEDIA_TYPE
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
