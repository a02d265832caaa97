"""The only wiring of the inventory service."""

from __future__ import annotations

import asyncio

import grpc

from crm.inventory.v1 import inventory_pb2, inventory_pb2_grpc
from crm_common.access.identity import access_resolver, identity_channel
from crm_common.access.resolver import ACCESS_CHANGED_SUBJECT
from crm_common.grpc.server import Registration
from crm_common.runtime import Job, Runtime, ServiceParts
from inventory.config import InventorySettings
from inventory.entrypoints.grpc_server import InventoryServicer
from inventory.service_layer.deps import AccessResolver, InventoryDeps

SERVICE_NAME = inventory_pb2.DESCRIPTOR.services_by_name["InventoryService"].full_name


def build_deps(settings: InventorySettings, runtime: Runtime) -> InventoryDeps:
    return InventoryDeps(settings=settings, uow=runtime.uow)


def registrations(deps: InventoryDeps, access: AccessResolver) -> list[Registration]:
    inventory = InventoryServicer(deps, access)
    return [
        Registration(
            SERVICE_NAME,
            lambda server: inventory_pb2_grpc.add_InventoryServiceServicer_to_server(
                inventory, server
            ),
        )
    ]


def _close_at_stop(channel: grpc.aio.Channel) -> Job:
    async def job(stop: asyncio.Event) -> None:
        await stop.wait()
        await channel.close()

    return job


def build(settings: InventorySettings, runtime: Runtime) -> ServiceParts:
    identity = identity_channel(settings.identity_addr, settings.internal_secret.get_secret_value())
    access = access_resolver(identity, settings.access_cache_seconds)
    runtime.nats.listen(ACCESS_CHANGED_SUBJECT, access.on_access_changed)
    return ServiceParts(
        registrations=registrations(build_deps(settings, runtime), access),
        jobs=[_close_at_stop(identity)],
    )
