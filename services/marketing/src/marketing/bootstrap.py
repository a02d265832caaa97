"""The only wiring of the marketing service."""

from __future__ import annotations

import asyncio

import grpc

from crm.marketing.v1 import marketing_pb2_grpc
from crm_common.access.identity import access_resolver, identity_channel
from crm_common.access.resolver import ACCESS_CHANGED_SUBJECT
from crm_common.db import utcnow
from crm_common.grpc.server import Registration
from crm_common.runtime import Job, Runtime, ServiceParts, Subscription
from marketing.adapters.sales_profiles import SalesProfiles, sales_channel
from marketing.config import MarketingSettings
from marketing.entrypoints.grpc_server import MarketingServicer
from marketing.service_layer import read_model, scoring, sends, sequences
from marketing.service_layer.deps import AccessResolver, MarketingDeps

SERVICE_NAME = "crm.marketing.v1.MarketingService"


def registrations(deps: MarketingDeps, access: AccessResolver) -> list[Registration]:
    servicer = MarketingServicer(deps, access)
    return [
        Registration(
            SERVICE_NAME,
            lambda server: marketing_pb2_grpc.add_MarketingServiceServicer_to_server(
                servicer, server
            ),
        )
    ]


def _close_at_stop(channel: grpc.aio.Channel) -> Job:
    async def job(stop: asyncio.Event) -> None:
        await stop.wait()
        await channel.close()

    return job


def subscriptions(deps: MarketingDeps) -> list[Subscription]:
    return [
        Subscription(read_model.CONSUMER, read_model.SUBJECTS, read_model.handler(deps)),
        Subscription(sends.CONSUMER, sends.SUBJECTS, sends.delivery_handler(deps)),
    ]


def jobs(deps: MarketingDeps) -> list[Job]:
    return [
        scoring.decay_job(deps.uow, deps.settings, deps.now),
        sends.dispatch_job(deps),
        sequences.scheduler_job(deps),
    ]


def build(settings: MarketingSettings, runtime: Runtime) -> ServiceParts:
    secret = settings.internal_secret.get_secret_value()
    identity = identity_channel(settings.identity_addr, secret)
    access = access_resolver(identity, settings.access_cache_seconds)
    runtime.nats.listen(ACCESS_CHANGED_SUBJECT, access.on_access_changed)
    sales = sales_channel(settings.sales_addr, secret)
    deps = MarketingDeps(
        settings=settings, uow=runtime.uow, profiles=SalesProfiles.on(sales), now=utcnow
    )
    return ServiceParts(
        registrations=registrations(deps, access),
        jobs=[_close_at_stop(identity), _close_at_stop(sales), *jobs(deps)],
        subscriptions=subscriptions(deps),
    )
