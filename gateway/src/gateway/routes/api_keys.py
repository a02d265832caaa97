"""API keys of service accounts (identity's ApiKeyService). The secret is in the
creation answer only, never again; a revoked key stops working within seconds."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from crm.identity.v1 import api_keys_pb2 as pb
from crm_common.wire import time_field
from gateway.deps import ApiKeyStub, RequireUser
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyPage, ApiKeyRead
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(prefix="/api-keys", tags=["api-keys"], dependencies=[RequireUser])

KeyId = Annotated[UUID, Path(alias="id", description="The API key's id (UUID)")]


@router.get("", responses=problem_responses(401, 403, 422), summary="API keys of the tenant")
async def list_api_keys(
    api_keys: ApiKeyStub,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> ApiKeyPage:
    answer = await api_keys.ListApiKeys(pb.ListApiKeysRequest(page=page_request(limit, cursor)))
    return ApiKeyPage(
        items=[api_key_read(k) for k in answer.items], next_cursor=answer.page.next_cursor or None
    )


@router.post(
    "",
    status_code=201,
    responses=problem_responses(401, 403, 413, 422),
    summary="Create an API key; the answer holds its secret, shown this once",
    description="No Idempotency-Key replay: a stored answer would keep the secret. "
    "A retry that creates a second key leaves one to revoke.",
)
async def create_api_key(
    body: ApiKeyCreate, api_keys: ApiKeyStub, response: Response
) -> ApiKeyCreated:
    request = pb.CreateApiKeyRequest(
        name=body.name, profile_id=body.profile_id, daily_limit=body.daily_limit
    )
    if body.expires_at is not None:
        request.expires_at.FromDatetime(body.expires_at.astimezone(UTC))
    created = await api_keys.CreateApiKey(request)
    response.headers["Location"] = f"{API_PREFIX}/api-keys/{created.key.id}"
    response.headers["Cache-Control"] = "no-store"
    return ApiKeyCreated(**api_key_read(created.key).model_dump(), secret=created.secret)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One API key")
async def get_api_key(key_id: KeyId, api_keys: ApiKeyStub) -> ApiKeyRead:
    return api_key_read(await api_keys.GetApiKey(pb.GetApiKeyRequest(id=str(key_id))))


@router.delete(
    "/{id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Revoke an API key (idempotent); returns it, no longer active",
)
async def revoke_api_key(key_id: KeyId, api_keys: ApiKeyStub) -> ApiKeyRead:
    return api_key_read(await api_keys.RevokeApiKey(pb.GetApiKeyRequest(id=str(key_id))))


def api_key_read(key: pb.ApiKey) -> ApiKeyRead:
    return ApiKeyRead(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        profile_id=key.profile_id,
        expires_at=time_field(key, "expires_at"),
        revoked_at=time_field(key, "revoked_at"),
        last_used_at=time_field(key, "last_used_at"),
        daily_limit=key.daily_limit,
        created_at=time_field(key, "created_at"),
        created_by=key.created_by or None,
        active=key.active,
    )
