"""The 360 view's assembly: parts in parallel, each within its deadline, a
failed part marked with why while the others answer."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from gateway_fakes import rpc_error

from gateway.overview import gather_parts


async def test_each_part_answers_or_says_why() -> None:
    async def ok(deadline: float) -> str:
        return "page"

    async def slow(deadline: float) -> str:
        await asyncio.sleep(deadline + 5)
        return "too late"

    def failing(code: grpc.StatusCode):
        async def call(deadline: float) -> str:
            raise rpc_error(code, "no")

        return call

    async def broken(deadline: float) -> str:
        raise ValueError("bug")

    parts = await gather_parts(
        {
            "contacts": ok,
            "deals": slow,
            "quotes": failing(grpc.StatusCode.PERMISSION_DENIED),
            "orders": failing(grpc.StatusCode.UNAVAILABLE),
            "activities": failing(grpc.StatusCode.DEADLINE_EXCEEDED),
            "cases": failing(grpc.StatusCode.INTERNAL),
            "campaigns": broken,
        },
        deadline=0.1,
    )
    assert {name: part.status for name, part in parts.items()} == {
        "contacts": "ok",
        "deals": "timeout",
        "quotes": "forbidden",
        "orders": "unavailable",
        "activities": "timeout",
        "cases": "error",
        "campaigns": "error",
    }
    assert parts["contacts"].answer == "page"
    assert parts["campaigns"].detail == "ValueError"


async def test_parts_run_in_parallel() -> None:
    """Every part waits until all ten are running: asked one after another, they
    would all run into their deadline instead."""
    running, everyone = 0, asyncio.Event()

    async def meet(deadline: float) -> int:
        nonlocal running
        running += 1
        if running == 10:
            everyone.set()
        await everyone.wait()
        return running

    parts = await gather_parts({str(i): meet for i in range(10)}, deadline=5.0)
    assert [part.status for part in parts.values()] == ["ok"] * 10


async def test_cancellation_is_not_swallowed() -> None:
    async def cancelled(deadline: float) -> None:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await gather_parts({"x": cancelled}, deadline=1.0)
