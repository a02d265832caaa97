"""The only wiring of the sales service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import grpc

from crm.sales.v1 import sales_pb2, sales_pb2_grpc
from crm_common.access.resolver import ACCESS_CHANGED_SUBJECT
from crm_common.db import UnitOfWork
from crm_common.grpc.server import Registration
from crm_common.runtime import Job, Runtime, ServiceParts
from sales.adapters.identity_client import access_resolver, identity_channel
from sales.config import SalesSettings
from sales.entrypoints.grpc_server import SalesServicer
from sales.service_layer.deps import AccessResolver, SalesDeps
from sales.service_layer.recycle_bin import purge_all

PURGE_EVERY_SECONDS = 3600.0
log = logging.getLogger("sales.purge")

SERVICE_NAME = sales_pb2.DESCRIPTOR.services_by_name["SalesService"].full_name


def build_deps(settings: SalesSettings, runtime: Runtime) -> SalesDeps:
    return SalesDeps(settings=settings, uow=runtime.uow)


def registrations(deps: SalesDeps, access: AccessResolver) -> list[Registration]:
    sales = SalesServicer(deps, access)
    return [
        Registration(
            SERVICE_NAME,
            lambda server: sales_pb2_grpc.add_SalesServiceServicer_to_server(sales, server),
        )
    ]


def _close_at_stop(channel: grpc.aio.Channel) -> Job:
    async def job(stop: asyncio.Event) -> None:
        await stop.wait()
        await channel.close()

    return job


def purge_job(uow: Callable[[], UnitOfWork], every: float = PURGE_EVERY_SECONDS) -> Job:
    """Hard-delete records past the recycle bin's retention, once per ``every``
    seconds (the first run right after start). A failed run is logged and retried
    at the next tick."""

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                purged = await purge_all(uow)
                if any(purged.values()):
                    log.info("recycle bin purged", extra={"purged": purged})
            except Exception:
                log.exception("recycle bin purge failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    return job


def build(settings: SalesSettings, runtime: Runtime) -> ServiceParts:
    identity = identity_channel(settings.identity_addr, settings.internal_secret.get_secret_value())
    access = access_resolver(identity, settings.access_cache_seconds)
    runtime.nats.listen(ACCESS_CHANGED_SUBJECT, access.on_access_changed)
    return ServiceParts(
        registrations=registrations(build_deps(settings, runtime), access),
        jobs=[_close_at_stop(identity), purge_job(runtime.uow)],
    )
