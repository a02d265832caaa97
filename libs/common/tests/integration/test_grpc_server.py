"""The shared gRPC bootstrap over a real socket: principal propagation, error
mapping with field details, health (readiness vs liveness), reflection, metrics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from prometheus_client import REGISTRY

from crm.identity.v1 import identity_pb2 as pb
from crm.identity.v1 import identity_pb2_grpc
from crm_common.auth import (
    Principal,
    current_principal,
    reset_current_principal,
    set_current_principal,
)
from crm_common.errors import InvalidArgument, NotFound
from crm_common.grpc.client import create_channel
from crm_common.grpc.errors import read_failure
from crm_common.grpc.server import LIVENESS, GrpcServer, Registration

SECRET = "test-secret"
SERVICE = "crm.identity.v1.IdentityService"


class EchoPrincipal(identity_pb2_grpc.IdentityServiceServicer):
    async def GetMe(self, request: pb.GetMeRequest, context: grpc.aio.ServicerContext) -> pb.Me:
        principal = current_principal()
        return pb.Me(
            user=pb.User(id=principal.user_id, tenant_id=principal.tenant_id),
            permissions=list(principal.permissions),
        )

    async def ExportUsers(
        self, request: pb.ExportUsersRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.User]:
        for _ in range(2):
            yield pb.User(id=current_principal().user_id)

    async def GetUser(
        self, request: pb.GetUserRequest, context: grpc.aio.ServicerContext
    ) -> pb.User:
        if request.id == "bad":
            raise InvalidArgument.for_field("id", "must be a UUID")
        if request.id == "boom":
            raise RuntimeError("bug")
        raise NotFound("user not found")


@pytest.fixture
async def server() -> AsyncIterator[GrpcServer]:
    ready = {"value": True}

    async def readiness() -> bool:
        return ready["value"]

    servicer = EchoPrincipal()
    srv = GrpcServer(
        service="echo",
        registrations=[
            Registration(
                SERVICE,
                lambda s: identity_pb2_grpc.add_IdentityServiceServicer_to_server(servicer, s),
            )
        ],
        internal_secret=SECRET,
        host="127.0.0.1",
        port=0,
        readiness_checks=[readiness],
        readiness_interval=0.1,
    )
    srv.ready_flag = ready  # type: ignore[attr-defined]
    await srv.start()
    yield srv
    await srv.stop(0)


@pytest.fixture
async def channel(server: GrpcServer) -> AsyncIterator[grpc.aio.Channel]:
    ch = create_channel(f"127.0.0.1:{server.port}", service=SERVICE, internal_secret=SECRET)
    yield ch
    await ch.close()


async def test_principal_travels_signed_in_metadata(channel: grpc.aio.Channel) -> None:
    token = set_current_principal(
        Principal(kind="user", tenant_id="t1", user_id="u1", permissions=("*",))
    )
    try:
        me = await identity_pb2_grpc.IdentityServiceStub(channel).GetMe(pb.GetMeRequest())
    finally:
        reset_current_principal(token)
    assert (me.user.id, me.user.tenant_id, list(me.permissions)) == ("u1", "t1", ["*"])


async def test_principal_signed_with_another_secret_is_refused(server: GrpcServer) -> None:
    ch = create_channel(f"127.0.0.1:{server.port}", service=SERVICE, internal_secret="forged")
    token = set_current_principal(Principal(kind="user", tenant_id="t1", user_id="u1"))
    try:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await identity_pb2_grpc.IdentityServiceStub(ch).GetMe(pb.GetMeRequest())
    finally:
        reset_current_principal(token)
        await ch.close()
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_domain_errors_map_to_statuses_with_field_details(channel: grpc.aio.Channel) -> None:
    stub = identity_pb2_grpc.IdentityServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.GetUser(pb.GetUserRequest(id="bad"))
    failure = read_failure(info.value)
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in failure.violations] == ["id"]
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.GetUser(pb.GetUserRequest(id="x"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.GetUser(pb.GetUserRequest(id="boom"))
    assert info.value.code() == grpc.StatusCode.INTERNAL
    assert "bug" not in (info.value.details() or "")  # no internals leak to callers


async def test_metrics_count_calls_per_method_and_code(channel: grpc.aio.Channel) -> None:
    method = f"/{SERVICE}/GetUser"
    before = (
        REGISTRY.get_sample_value(
            "crm_grpc_server_requests_total",
            {"service": "echo", "method": method, "code": "NOT_FOUND"},
        )
        or 0
    )
    with pytest.raises(grpc.aio.AioRpcError):
        await identity_pb2_grpc.IdentityServiceStub(channel).GetUser(pb.GetUserRequest(id="x"))
    after = REGISTRY.get_sample_value(
        "crm_grpc_server_requests_total", {"service": "echo", "method": method, "code": "NOT_FOUND"}
    )
    assert after == before + 1


async def test_health_reports_readiness_and_liveness_separately(
    server: GrpcServer, channel: grpc.aio.Channel
) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    serving = health_pb2.HealthCheckResponse.SERVING
    assert (await health.Check(health_pb2.HealthCheckRequest(service=""))).status == serving
    server.ready_flag["value"] = False  # type: ignore[attr-defined]
    for _ in range(50):  # bounded: the watcher runs every 0.1 s
        status = (await health.Check(health_pb2.HealthCheckRequest(service=""))).status
        if status != serving:
            break
        await asyncio.sleep(0.05)
    assert status == health_pb2.HealthCheckResponse.NOT_SERVING
    live = await health.Check(health_pb2.HealthCheckRequest(service=LIVENESS))
    assert live.status == serving


async def test_reflection_lists_the_service(channel: grpc.aio.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)

    async def requests() -> AsyncIterator[reflection_pb2.ServerReflectionRequest]:
        yield reflection_pb2.ServerReflectionRequest(list_services="")

    async for response in stub.ServerReflectionInfo(requests()):
        names = {s.name for s in response.list_services_response.service}
        assert SERVICE in names and "grpc.health.v1.Health" in names
        break


async def test_principal_travels_on_server_streaming_calls_too(channel: grpc.aio.Channel) -> None:
    token = set_current_principal(Principal(kind="user", tenant_id="t1", user_id="u7"))
    try:
        stream = identity_pb2_grpc.IdentityServiceStub(channel).ExportUsers(pb.ExportUsersRequest())
        ids = [user.id async for user in stream]
    finally:
        reset_current_principal(token)
    assert ids == ["u7", "u7"]
