"""Exception handlers: every failure leaves the gateway as problem+json.

Unexpected exceptions are answered by ``middleware.request_context`` (it knows
the request id and runs outside every other middleware).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from crm_common.errors import FieldViolation
from crm_common.grpc.errors import read_failure
from gateway.idempotency import REPLAYED_HEADER, IdempotentReplayError
from gateway.problem import ProblemError, problem_from_rpc, problem_response

log = logging.getLogger("crm.gateway")

VALIDATION_TYPE = "urn:crm:problem:validation-error"
_LOCATIONS = {"body", "query", "path", "header", "cookie"}


def field_name(loc: Sequence[Any]) -> str:
    """``("body", "email")`` -> ``email``; ``("path", "id")`` -> ``id``."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(parts) or "body"


async def on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(exc, request.url.path)


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    problem = ProblemError(exc.status_code, str(exc.detail), headers=exc.headers)
    return problem_response(problem, request.url.path)


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    violations = [FieldViolation(field_name(e["loc"]), str(e["msg"])) for e in exc.errors()]
    summary = "; ".join(f"{v.field}: {v.message}" for v in violations[:3])
    problem = ProblemError(
        422, f"the request is invalid ({summary})", type_=VALIDATION_TYPE, errors=violations
    )
    return problem_response(problem, request.url.path)


async def on_rpc_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, grpc.RpcError)
    failure = read_failure(exc)
    problem = problem_from_rpc(failure)
    if problem.status >= 500:
        log.warning("upstream call failed: %s %s", failure.code.name, failure.message)
    return problem_response(problem, request.url.path)


async def on_replay(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IdempotentReplayError)
    stored = exc.stored
    headers = {**stored.headers, REPLAYED_HEADER: "true"}
    return Response(stored.body, status_code=stored.status, headers=headers)


def install_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(HTTPException, on_http_exception)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(grpc.RpcError, on_rpc_error)
    app.add_exception_handler(IdempotentReplayError, on_replay)
