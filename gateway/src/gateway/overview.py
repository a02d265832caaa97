"""The account 360 view, assembled by the gateway: each part is asked of the
service that owns it, all in parallel, each within its own deadline. A part that
fails (its service down or slow, or the caller not allowed) is marked with why,
and the rest of the view still answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import grpc

PartStatus = Literal["ok", "forbidden", "unavailable", "timeout", "error"]

# A part: given its deadline in seconds, the call that answers it.
PartCall = Callable[[float], Awaitable[Any]]

_STATUS_OF_CODE: dict[grpc.StatusCode, PartStatus] = {
    grpc.StatusCode.PERMISSION_DENIED: "forbidden",
    grpc.StatusCode.UNAVAILABLE: "unavailable",
    grpc.StatusCode.DEADLINE_EXCEEDED: "timeout",
}


@dataclass(frozen=True)
class PartResult:
    status: PartStatus
    answer: Any = None  # the service's answer when ok
    detail: str | None = None


async def gather_parts(calls: Mapping[str, PartCall], deadline: float) -> dict[str, PartResult]:
    names = list(calls)
    answers = await asyncio.gather(
        *(_bounded(calls[name], deadline) for name in names), return_exceptions=True
    )
    return {name: _result(answer) for name, answer in zip(names, answers, strict=True)}


async def _bounded(call: PartCall, deadline: float) -> Any:
    # The gRPC deadline travels to the service; wait_for also bounds what happens
    # before the call leaves (a connection that will not come up).
    return await asyncio.wait_for(call(deadline), timeout=deadline + 0.5)


def _result(answer: object) -> PartResult:
    if isinstance(answer, grpc.aio.AioRpcError):
        status = _STATUS_OF_CODE.get(answer.code(), "error")
        return PartResult(status, detail=answer.details() or answer.code().name)
    if isinstance(answer, TimeoutError):
        return PartResult("timeout", detail="no answer within the deadline")
    if isinstance(answer, BaseException):
        if not isinstance(answer, Exception):
            raise answer  # cancellation and the like are not a part's failure
        return PartResult("error", detail=type(answer).__name__)
    return PartResult("ok", answer=answer)
