"""The client factory over a real socket: idempotent reads are retried on
UNAVAILABLE, writes never are, and every call carries a deadline."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from crm.identity.v1 import identity_pb2 as pb
from crm.identity.v1 import identity_pb2_grpc
from crm_common.grpc.client import create_channel
from crm_common.grpc.server import GrpcServer, Registration

SECRET = "test-secret"
SERVICE = "crm.identity.v1.IdentityService"


class FlakyOnce(identity_pb2_grpc.IdentityServiceServicer):
    """Fails the first call of each method with UNAVAILABLE; records deadlines."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.deadlines: list[float | None] = []

    async def _flaky(self, name: str, context: grpc.aio.ServicerContext) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1
        self.deadlines.append(context.time_remaining())
        if self.calls[name] == 1:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "warming up")

    async def GetUser(
        self, request: pb.GetUserRequest, context: grpc.aio.ServicerContext
    ) -> pb.User:
        await self._flaky("GetUser", context)
        return pb.User(id=request.id)

    async def CreateUser(
        self, request: pb.CreateUserRequest, context: grpc.aio.ServicerContext
    ) -> pb.User:
        await self._flaky("CreateUser", context)
        return pb.User(email=request.email)


@pytest.fixture
async def flaky() -> AsyncIterator[tuple[FlakyOnce, grpc.aio.Channel]]:
    servicer = FlakyOnce()
    server = GrpcServer(
        service="flaky",
        registrations=[
            Registration(
                SERVICE,
                lambda s: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, s),
            )
        ],
        internal_secret=SECRET,
        host="127.0.0.1",
        port=0,
    )
    await server.start()
    channel = create_channel(
        f"127.0.0.1:{server.port}",
        service=SERVICE,
        internal_secret=SECRET,
        idempotent_methods=["GetUser"],
        default_deadline=3.0,
    )
    yield servicer, channel
    await channel.close()
    await server.stop(0)


async def test_idempotent_read_is_retried(flaky: tuple[FlakyOnce, grpc.aio.Channel]) -> None:
    servicer, channel = flaky
    user = await identity_pb2_grpc.IdentityServiceStub(channel).GetUser(pb.GetUserRequest(id="u1"))
    assert user.id == "u1"
    assert servicer.calls["GetUser"] == 2


async def test_write_is_not_retried(flaky: tuple[FlakyOnce, grpc.aio.Channel]) -> None:
    servicer, channel = flaky
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await identity_pb2_grpc.IdentityServiceStub(channel).CreateUser(
            pb.CreateUserRequest(email="a@b.example")
        )
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    assert servicer.calls["CreateUser"] == 1


async def test_every_call_has_a_deadline(flaky: tuple[FlakyOnce, grpc.aio.Channel]) -> None:
    servicer, channel = flaky
    await identity_pb2_grpc.IdentityServiceStub(channel).GetUser(pb.GetUserRequest(id="u1"))
    assert servicer.deadlines and all(d is not None and 0 < d <= 3.5 for d in servicer.deadlines)
