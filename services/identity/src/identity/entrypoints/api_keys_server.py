"""ApiKeyService servicer: parse, call a handler, map. Nothing else."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.identity.v1 import api_keys_pb2 as pb
from crm.identity.v1 import api_keys_pb2_grpc
from crm_common.auth import require_authenticated
from identity import mappers_api_keys as m
from identity.mappers import page_to_pb, parse_uuid
from identity.service_layer import api_keys, usage
from identity.service_layer.deps import IdentityDeps

Context: TypeAlias = grpc.aio.ServicerContext


class ApiKeyServicer(api_keys_pb2_grpc.ApiKeyServiceServicer):
    def __init__(self, deps: IdentityDeps) -> None:
        self._deps = deps

    async def CreateApiKey(
        self, request: pb.CreateApiKeyRequest, context: Context
    ) -> pb.CreatedApiKey:
        key, secret = await api_keys.create_api_key(
            m.create_api_key_cmd(request), require_authenticated(), self._deps
        )
        return pb.CreatedApiKey(key=m.api_key_to_pb(key), secret=secret)

    async def GetApiKey(self, request: pb.GetApiKeyRequest, context: Context) -> pb.ApiKey:
        key = await api_keys.get_api_key(
            parse_uuid(request.id), require_authenticated(), self._deps
        )
        return m.api_key_to_pb(key)

    async def ListApiKeys(
        self, request: pb.ListApiKeysRequest, context: Context
    ) -> pb.ListApiKeysResponse:
        page = await api_keys.list_api_keys(
            require_authenticated(),
            self._deps,
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListApiKeysResponse(
            items=[m.api_key_to_pb(k) for k in page.items], page=page_to_pb(page)
        )

    async def RevokeApiKey(self, request: pb.GetApiKeyRequest, context: Context) -> pb.ApiKey:
        key = await api_keys.revoke_api_key(
            parse_uuid(request.id), require_authenticated(), self._deps
        )
        return m.api_key_to_pb(key)

    async def VerifyApiKey(
        self, request: pb.VerifyApiKeyRequest, context: Context
    ) -> pb.VerifiedApiKey:
        key = await api_keys.verify_api_key(request.secret, require_authenticated(), self._deps)
        return m.verified_to_pb(key)

    async def GetUsage(self, request: pb.GetUsageRequest, context: Context) -> pb.GetUsageResponse:
        report = await usage.get_usage(
            require_authenticated(),
            self._deps,
            from_date=m.parse_date(request.from_date, "from_date"),
            to_date=m.parse_date(request.to_date, "to_date"),
            key_id=m.usage_key_filter(request),
        )
        return m.usage_to_pb(report)

    async def GetUsageLimits(
        self, request: pb.GetUsageLimitsRequest, context: Context
    ) -> pb.UsageLimits:
        limit = await usage.get_usage_limits(require_authenticated(), self._deps)
        return pb.UsageLimits(daily_limit=limit)

    async def SetUsageLimits(self, request: pb.UsageLimits, context: Context) -> pb.UsageLimits:
        limit = await usage.set_usage_limits(
            request.daily_limit, require_authenticated(), self._deps
        )
        return pb.UsageLimits(daily_limit=limit)
