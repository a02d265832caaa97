"""The only wiring of the support service."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import grpc

from crm.identity.v1 import access_pb2_grpc
from crm.support.v1 import (
    cases_pb2_grpc,
    field_service_pb2_grpc,
    insights_pb2_grpc,
    knowledge_pb2_grpc,
    sla_pb2_grpc,
)
from crm_common.access.identity import access_resolver, identity_channel
from crm_common.access.resolver import ACCESS_CHANGED_SUBJECT
from crm_common.grpc.server import Registration
from crm_common.runtime import Job, Runtime, ServiceParts
from support.config import SupportSettings
from support.entrypoints.cases_servicer import CaseServicer
from support.entrypoints.field_service_servicer import FieldServicer
from support.entrypoints.insights_servicer import InsightsServicer
from support.entrypoints.knowledge_servicer import KnowledgeServicer
from support.entrypoints.sla_servicer import SlaServicer
from support.service_layer.contract_expiry import contract_expiry_job
from support.service_layer.deps import AccessResolver, SupportDeps
from support.service_layer.sla_scheduler import sla_job

SERVICE_NAME = "crm.support.v1.CaseService"  # the readiness name of the service

# (full service name, servicer class, add-to-server function) of every service.
SERVICERS: list[tuple[str, type[Any], Callable[[Any, grpc.aio.Server], None]]] = [
    (SERVICE_NAME, CaseServicer, cases_pb2_grpc.add_CaseServiceServicer_to_server),
    ("crm.support.v1.SlaService", SlaServicer, sla_pb2_grpc.add_SlaServiceServicer_to_server),
    (
        "crm.support.v1.FieldService",
        FieldServicer,
        field_service_pb2_grpc.add_FieldServiceServicer_to_server,
    ),
    (
        "crm.support.v1.KnowledgeService",
        KnowledgeServicer,
        knowledge_pb2_grpc.add_KnowledgeServiceServicer_to_server,
    ),
    (
        "crm.support.v1.InsightsService",
        InsightsServicer,
        insights_pb2_grpc.add_InsightsServiceServicer_to_server,
    ),
]


def registrations(deps: SupportDeps, access: AccessResolver) -> list[Registration]:
    def registration(name: str, cls: type[Any], add: Callable[..., None]) -> Registration:
        servicer = cls(deps, access)
        return Registration(name, lambda server: add(servicer, server))

    return [registration(name, cls, add) for name, cls, add in SERVICERS]


def _close_at_stop(channel: grpc.aio.Channel) -> Job:
    async def job(stop: asyncio.Event) -> None:
        await stop.wait()
        await channel.close()

    return job


def build(settings: SupportSettings, runtime: Runtime) -> ServiceParts:
    identity = identity_channel(settings.identity_addr, settings.internal_secret.get_secret_value())
    access = access_resolver(identity, settings.access_cache_seconds)
    runtime.nats.listen(ACCESS_CHANGED_SUBJECT, access.on_access_changed)
    deps = SupportDeps(
        settings=settings,
        uow=runtime.uow,
        identity_access=access_pb2_grpc.AccessServiceStub(identity),
    )
    return ServiceParts(
        registrations=registrations(deps, access),
        jobs=[_close_at_stop(identity), sla_job(deps), contract_expiry_job(deps)],
        subscriptions=[],
    )
