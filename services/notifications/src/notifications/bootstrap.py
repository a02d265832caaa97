"""The only wiring of the notifications service."""

from __future__ import annotations

import asyncio

import grpc

from crm.identity.v1 import access_pb2_grpc
from crm.notifications.v1 import notifications_pb2, notifications_pb2_grpc
from crm_common.access.identity import access_resolver, identity_channel
from crm_common.access.resolver import ACCESS_CHANGED_SUBJECT
from crm_common.grpc.server import Registration
from crm_common.runtime import Job, Runtime, ServiceParts, Subscription
from notifications.adapters.sales import SalesRecords, sales_channel
from notifications.config import NotificationsSettings
from notifications.entrypoints.grpc_server import NotificationServicer
from notifications.entrypoints.preference_servicer import delivery_parts
from notifications.entrypoints.webhook_servicer import webhook_parts
from notifications.service_layer import events
from notifications.service_layer.deps import NotificationsDeps, RecordCheck
from notifications.service_layer.live import LiveHub

SERVICE_NAME = notifications_pb2.DESCRIPTOR.services_by_name["NotificationService"].full_name


def registrations(
    deps: NotificationsDeps, visible: RecordCheck, hub: LiveHub
) -> list[Registration]:
    servicer = NotificationServicer(deps, visible, hub)
    return [
        Registration(
            SERVICE_NAME,
            lambda server: notifications_pb2_grpc.add_NotificationServiceServicer_to_server(
                servicer, server
            ),
        )
    ]


def _close_at_stop(channel: grpc.aio.Channel) -> Job:
    async def job(stop: asyncio.Event) -> None:
        await stop.wait()
        await channel.close()

    return job


def build(settings: NotificationsSettings, runtime: Runtime) -> ServiceParts:
    sales = sales_channel(settings.sales_addr, settings.internal_secret.get_secret_value())
    identity = identity_channel(settings.identity_addr, settings.internal_secret.get_secret_value())
    deps = NotificationsDeps(
        uow=runtime.uow, identity_access=access_pb2_grpc.AccessServiceStub(identity)
    )
    hub = LiveHub()
    runtime.nats.listen(events.CREATED, hub.on_created)
    # Who may manage webhooks and e-mail settings: one cached resolver for both.
    access = access_resolver(identity, settings.access_cache_seconds)
    runtime.nats.listen(ACCESS_CHANGED_SUBJECT, access.on_access_changed)
    hooks = webhook_parts(settings, runtime, access)  # webhooks: servicer, consumer, dispatcher
    mail = delivery_parts(settings, runtime, access, deps.identity_access)  # e-mail
    return ServiceParts(
        registrations=[
            *registrations(deps, SalesRecords(sales).visible, hub),
            *hooks.registrations,
            *mail.registrations,
        ],
        jobs=[_close_at_stop(sales), _close_at_stop(identity), *hooks.jobs, *mail.jobs],
        # From now: a first deploy must not turn the stream's history into alerts.
        subscriptions=[
            Subscription(events.CONSUMER, events.SUBJECTS, events.handler(deps), from_now=True),
            *hooks.subscriptions,
            *mail.subscriptions,
        ],
    )
