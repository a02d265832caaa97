"""Webhooks (the notifications service): endpoints per tenant, signed deliveries,
the delivery log and replay. The service decides access (module ``webhooks``:
administrators); this router only parses, calls and maps. docs/webhooks.md says
what a receiver gets and how it verifies it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.notifications.v1 import webhooks_pb2 as pb
from gateway import mappers_webhooks as mappers
from gateway.deps import RequireUser, WebhookStub
from gateway.etags import etag, expected_version
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.webhooks import (
    DeliveryPage,
    DeliveryRead,
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookRead,
    WebhookUpdate,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"], dependencies=[RequireUser])

WebhookId = Annotated[UUID, Path(alias="id", description="The webhook's id (UUID)")]
DeliveryId = Annotated[UUID, Path(description="The delivery's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
NO_REPLAY_NOTE = (
    "No Idempotency-Key replay: a stored answer would keep the secret. A retry that "
    "creates a second endpoint leaves one to delete."
)


def _with_etag(response: Response, webhook: WebhookRead) -> WebhookRead:
    response.headers["ETag"] = etag(webhook.version)
    return webhook


def _secret_answer(response: Response, created: WebhookCreated) -> WebhookCreated:
    response.headers["ETag"] = etag(created.version)
    response.headers["Cache-Control"] = "no-store"
    return created


@router.get("", responses=problem_responses(401, 403, 422), summary="Webhook endpoints")
async def list_webhooks(
    webhooks: WebhookStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    active: bool | None = None,
) -> WebhookPage:
    return mappers.webhook_page(
        await webhooks.ListWebhooks(mappers.list_request(limit, cursor, active))
    )


@router.post(
    "",
    status_code=201,
    responses=problem_responses(401, 403, 413, 422),
    summary="Register an endpoint; the answer holds its signing secret, shown this once",
    description=NO_REPLAY_NOTE,
)
async def create_webhook(
    body: WebhookCreate, webhooks: WebhookStub, response: Response
) -> WebhookCreated:
    created = mappers.webhook_created(await webhooks.CreateWebhook(mappers.create_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/webhooks/{created.id}"
    return _secret_answer(response, created)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One endpoint")
async def get_webhook(
    webhook_id: WebhookId, webhooks: WebhookStub, response: Response
) -> WebhookRead:
    found = await webhooks.GetWebhook(pb.GetWebhookRequest(id=str(webhook_id)))
    return _with_etag(response, mappers.webhook_read(found))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (active: true re-enables it)",
)
async def update_webhook(
    webhook_id: WebhookId,
    body: WebhookUpdate,
    webhooks: WebhookStub,
    response: Response,
    if_match: IfMatch = None,
) -> WebhookRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_request(str(webhook_id), body, version)
    return _with_etag(response, mappers.webhook_read(await webhooks.UpdateWebhook(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete an endpoint; its pending deliveries end failed",
)
async def delete_webhook(
    webhook_id: WebhookId, webhooks: WebhookStub, if_match: IfMatch = None
) -> Response:
    version = expected_version(if_match, None)
    await webhooks.DeleteWebhook(
        pb.DeleteWebhookRequest(id=str(webhook_id), expected_version=version)
    )
    return Response(status_code=204)


@router.post(
    "/{id}/rotate-secret",
    responses=problem_responses(401, 403, 404, 422),
    summary="A new signing secret, shown this once; the old one stops signing at once",
    description=NO_REPLAY_NOTE.replace("creates a second endpoint leaves one to delete",
                                         "rotates twice only changes the secret again"),
)  # fmt: skip
async def rotate_secret(
    webhook_id: WebhookId, webhooks: WebhookStub, response: Response
) -> WebhookCreated:
    rotated = await webhooks.RotateWebhookSecret(pb.RotateWebhookSecretRequest(id=str(webhook_id)))
    return _secret_answer(response, mappers.webhook_created(rotated))


@router.get(
    "/{id}/deliveries",
    responses=problem_responses(401, 403, 404, 422),
    summary="The endpoint's delivery log, newest first",
)
async def list_deliveries(
    webhook_id: WebhookId,
    webhooks: WebhookStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: DeliveryStatus | None = None,
) -> DeliveryPage:
    request = pb.ListWebhookDeliveriesRequest(
        webhook_id=str(webhook_id), page=page_request(limit, cursor), status=status or ""
    )
    return mappers.delivery_page(await webhooks.ListWebhookDeliveries(request))


@router.post(
    "/{id}/deliveries/{delivery_id}/replay",
    status_code=201,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Queue a copy of a delivered or failed delivery (same event and body) at the "
    "end of the endpoint's queue; the original stays in the log",
)
async def replay_delivery(
    webhook_id: WebhookId, delivery_id: DeliveryId, webhooks: WebhookStub
) -> DeliveryRead:
    request = pb.ReplayWebhookDeliveryRequest(
        webhook_id=str(webhook_id), delivery_id=str(delivery_id)
    )
    return mappers.delivery_read(await webhooks.ReplayWebhookDelivery(request))
