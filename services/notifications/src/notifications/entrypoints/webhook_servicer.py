"""WebhookService servicer: parse, resolve the caller's access, call a handler, map."""

from __future__ import annotations

import asyncio
from typing import Any, TypeAlias

import grpc

from crm.common.v1 import types_pb2
from crm.notifications.v1 import webhooks_pb2 as pb
from crm.notifications.v1 import webhooks_pb2_grpc
from crm_common.access import AccessContext
from crm_common.access.resolver import CachedAccessResolver
from crm_common.auth import require_authenticated
from crm_common.errors import InvalidArgument
from crm_common.grpc.server import Registration
from crm_common.runtime import Runtime, ServiceParts, Subscription
from crm_common.wire import parse_uuid
from notifications.config import NotificationsSettings
from notifications.domain.webhooks import UPDATABLE, RetryPolicy
from notifications.mappers_webhooks import delivery_to_pb, webhook_to_pb, with_secret_to_pb
from notifications.service_layer import webhook_enqueue, webhooks
from notifications.service_layer.webhook_dispatch import (
    DispatchSettings,
    WebhookDispatcher,
    dispatch_job,
    new_client,
)
from notifications.service_layer.webhooks import WebhookDeps, WebhookInput

Context: TypeAlias = grpc.aio.ServicerContext
SERVICE_NAME = pb.DESCRIPTOR.services_by_name["WebhookService"].full_name


class WebhookServicer(webhooks_pb2_grpc.WebhookServiceServicer):
    def __init__(self, deps: WebhookDeps, access: CachedAccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    async def CreateWebhook(
        self, request: pb.CreateWebhookRequest, context: Context
    ) -> pb.WebhookWithSecret:
        cmd = WebhookInput(
            url=request.url, description=request.description,
            event_types=tuple(request.event_types),
            active=request.active if request.HasField("active") else True,
        )  # fmt: skip
        created = await webhooks.create_webhook(cmd, await self._ctx(), self._deps)
        return with_secret_to_pb(created.row, created.secret)

    async def GetWebhook(self, request: pb.GetWebhookRequest, context: Context) -> pb.Webhook:
        row = await webhooks.get_webhook(parse_uuid(request.id), await self._ctx(), self._deps)
        return webhook_to_pb(row)

    async def ListWebhooks(
        self, request: pb.ListWebhooksRequest, context: Context
    ) -> pb.ListWebhooksResponse:
        page = await webhooks.list_webhooks(
            await self._ctx(), self._deps,
            active=request.active if request.HasField("active") else None,
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListWebhooksResponse(
            items=[webhook_to_pb(row) for row in page.items],
            page=types_pb2.PageResponse(next_cursor=page.next_cursor or ""),
        )

    async def UpdateWebhook(self, request: pb.UpdateWebhookRequest, context: Context) -> pb.Webhook:
        changes: dict[str, Any] = {}
        for name in request.update_mask:
            if name not in UPDATABLE:
                raise InvalidArgument.for_field(name, "cannot be changed")
            changes[name] = (
                list(request.event_types) if name == "event_types" else getattr(request, name)
            )
        row = await webhooks.update_webhook(
            parse_uuid(request.id), changes, request.expected_version, await self._ctx(),
            self._deps,
        )  # fmt: skip
        return webhook_to_pb(row)

    async def DeleteWebhook(
        self, request: pb.DeleteWebhookRequest, context: Context
    ) -> pb.DeleteWebhookResponse:
        await webhooks.delete_webhook(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return pb.DeleteWebhookResponse()

    async def RotateWebhookSecret(
        self, request: pb.RotateWebhookSecretRequest, context: Context
    ) -> pb.WebhookWithSecret:
        rotated = await webhooks.rotate_secret(
            parse_uuid(request.id), await self._ctx(), self._deps
        )
        return with_secret_to_pb(rotated.row, rotated.secret)

    async def ListWebhookDeliveries(
        self, request: pb.ListWebhookDeliveriesRequest, context: Context
    ) -> pb.ListWebhookDeliveriesResponse:
        page = await webhooks.list_deliveries(
            parse_uuid(request.webhook_id, "webhook_id"), request.status, await self._ctx(),
            self._deps, limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListWebhookDeliveriesResponse(
            items=[delivery_to_pb(row) for row in page.items],
            page=types_pb2.PageResponse(next_cursor=page.next_cursor or ""),
        )

    async def ReplayWebhookDelivery(
        self, request: pb.ReplayWebhookDeliveryRequest, context: Context
    ) -> pb.WebhookDelivery:
        row = await webhooks.replay_delivery(
            parse_uuid(request.webhook_id, "webhook_id"),
            parse_uuid(request.delivery_id, "delivery_id"), await self._ctx(), self._deps,
        )  # fmt: skip
        return delivery_to_pb(row)


def webhook_parts(
    settings: NotificationsSettings, runtime: Runtime, access: CachedAccessResolver
) -> ServiceParts:
    """Webhooks' share of the service (bootstrap.py joins it): the servicer (access
    resolved by identity, cached), the consumer that queues deliveries
    (from now: a first deploy does not replay the stream's history to receivers),
    and the dispatcher on every replica."""
    policy = RetryPolicy(
        base_seconds=settings.webhook_backoff_base_seconds,
        max_seconds=settings.webhook_backoff_max_seconds,
        max_attempts=settings.webhook_max_attempts,
        disable_after_failures=settings.webhook_disable_after_failures,
        disable_after_seconds=settings.webhook_disable_after_seconds,
    )
    deps = WebhookDeps(runtime.uow, settings.webhook_allow_private_targets, policy)
    servicer = WebhookServicer(deps, access)
    client = new_client(settings.webhook_timeout_seconds)
    dispatcher = WebhookDispatcher(
        runtime.uow, client,
        DispatchSettings(policy, settings.webhook_timeout_seconds,
                         settings.webhook_allow_private_targets, settings.webhook_concurrency),
    )  # fmt: skip

    async def close_client(stop: asyncio.Event) -> None:
        await stop.wait()
        await client.aclose()

    return ServiceParts(
        registrations=[
            Registration(
                SERVICE_NAME,
                lambda server: webhooks_pb2_grpc.add_WebhookServiceServicer_to_server(
                    servicer, server
                ),
            )
        ],
        subscriptions=[
            Subscription(
                webhook_enqueue.CONSUMER,
                webhook_enqueue.SUBJECTS,
                webhook_enqueue.handle,
                from_now=True,
            )
        ],
        jobs=[dispatch_job(dispatcher, settings.webhook_poll_seconds), close_client],
    )
