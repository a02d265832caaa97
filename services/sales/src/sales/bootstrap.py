"""The only wiring of the sales service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import grpc

from crm.identity.v1 import access_pb2_grpc
from crm.sales.v1 import (
    activities_pb2_grpc,
    assignment_pb2_grpc,
    deals_pb2_grpc,
    forecasts_pb2,
    forecasts_pb2_grpc,
    quotes_pb2_grpc,
    sales_pb2,
    sales_pb2_grpc,
)
from crm_common.access.groups import IdentityGroups
from crm_common.access.identity import access_resolver, identity_channel
from crm_common.access.resolver import ACCESS_CHANGED_SUBJECT
from crm_common.db import UnitOfWork
from crm_common.grpc.server import Registration
from crm_common.runtime import Job, Runtime, ServiceParts, Subscription
from sales.adapters.inventory_client import InventoryPrices, inventory_channel
from sales.adapters.org_chart import IdentityOrgChart
from sales.config import SalesSettings
from sales.entrypoints.activity_servicer import ActivityServicer
from sales.entrypoints.assignment_servicer import AssignmentRuleServicer
from sales.entrypoints.deal_servicer import DealServicer
from sales.entrypoints.forecast_servicer import ForecastServicer
from sales.entrypoints.grpc_server import SalesServicer
from sales.entrypoints.marketing_profiles_servicer import marketing_profile_registration
from sales.entrypoints.quote_servicer import QuoteServicer
from sales.service_layer import marketing_events, order_consumer
from sales.service_layer.deps import AccessResolver, SalesDeps
from sales.service_layer.quote_expiry import expiry_job
from sales.service_layer.recycle_bin import purge_all
from sales.service_layer.reminders import reminder_job

PURGE_EVERY_SECONDS = 3600.0
log = logging.getLogger("sales.purge")

SERVICE_NAME = sales_pb2.DESCRIPTOR.services_by_name["SalesService"].full_name
FORECAST_SERVICE = forecasts_pb2.DESCRIPTOR.services_by_name["ForecastService"].full_name


def build_deps(settings: SalesSettings, runtime: Runtime, identity: grpc.aio.Channel) -> SalesDeps:
    return SalesDeps(
        settings=settings,
        uow=runtime.uow,
        org_chart=IdentityOrgChart(identity),
        groups=IdentityGroups(access_pb2_grpc.AccessServiceStub(identity)),
    )


def registrations(deps: SalesDeps, access: AccessResolver) -> list[Registration]:
    sales = SalesServicer(deps, access)
    forecasts = ForecastServicer(deps, access)
    return [
        Registration(
            SERVICE_NAME,
            lambda server: sales_pb2_grpc.add_SalesServiceServicer_to_server(sales, server),
        ),
        Registration(
            FORECAST_SERVICE,
            lambda server: forecasts_pb2_grpc.add_ForecastServiceServicer_to_server(
                forecasts, server
            ),
        ),
    ]


def activity_registrations(deps: SalesDeps, access: AccessResolver) -> list[Registration]:
    """Activities and lead assignment rules: two more services on the same server."""
    activities = ActivityServicer(deps, access)
    rules = AssignmentRuleServicer(deps, access)
    return [
        Registration(
            "crm.sales.v1.ActivityService",
            lambda server: activities_pb2_grpc.add_ActivityServiceServicer_to_server(
                activities, server
            ),
        ),
        Registration(
            "crm.sales.v1.AssignmentRuleService",
            lambda server: assignment_pb2_grpc.add_AssignmentRuleServiceServicer_to_server(
                rules, server
            ),
        ),
    ]


def deal_registrations(deps: SalesDeps, access: AccessResolver) -> list[Registration]:
    """Pipelines, deals and the kanban board: one more service on the same server."""
    servicer = DealServicer(deps, access)
    return [
        Registration(
            "crm.sales.v1.DealService",
            lambda server: deals_pb2_grpc.add_DealServiceServicer_to_server(servicer, server),
        )
    ]


def quote_registrations(deps: SalesDeps, access: AccessResolver) -> list[Registration]:
    """Quotes and sales orders: one more service on the same server."""
    servicer = QuoteServicer(deps, access)
    return [
        Registration(
            "crm.sales.v1.QuoteService",
            lambda server: quotes_pb2_grpc.add_QuoteServiceServicer_to_server(servicer, server),
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
    deps = build_deps(settings, runtime, identity)
    secret = settings.internal_secret.get_secret_value()
    inventory = inventory_channel(settings.inventory_addr, secret)
    deps.pricing = InventoryPrices(inventory)
    return ServiceParts(
        registrations=[
            *registrations(deps, access),
            *activity_registrations(deps, access),
            *deal_registrations(deps, access),
            *quote_registrations(deps, access),
            marketing_profile_registration(deps),
        ],
        jobs=[
            _close_at_stop(identity),
            _close_at_stop(inventory),
            expiry_job(runtime.uow, settings.quote_expiry_poll_seconds),
            purge_job(runtime.uow),
            reminder_job(runtime.uow, settings.activity_reminder_poll_seconds),
        ],
        subscriptions=[
            Subscription(
                marketing_events.CONSUMER, marketing_events.SUBJECTS, marketing_events.handle
            ),
            Subscription(
                order_consumer.CONSUMER, order_consumer.SUBJECTS, order_consumer.on_stock_answer
            ),
        ],
    )
