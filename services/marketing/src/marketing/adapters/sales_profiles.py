"""Sales' MarketingProfileService, asked as this service (principal kind
"service" of the event's tenant), never as an end user."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import grpc

from crm.sales.v1 import marketing_profiles_pb2 as pb
from crm.sales.v1 import marketing_profiles_pb2_grpc
from crm_common.auth import Principal, reset_current_principal, set_current_principal
from crm_common.grpc.client import create_channel

SERVICE = "crm.sales.v1.MarketingProfileService"


def sales_channel(addr: str, internal_secret: str) -> grpc.aio.Channel:
    return create_channel(
        addr,
        service=SERVICE,
        internal_secret=internal_secret,
        idempotent_methods=["GetMarketingProfiles"],
    )


class SalesProfiles:
    def __init__(self, stub: Any) -> None:
        self._stub = stub

    @classmethod
    def on(cls, channel: grpc.aio.Channel) -> SalesProfiles:
        return cls(marketing_profiles_pb2_grpc.MarketingProfileServiceStub(channel))

    async def profiles(
        self, tenant_id: uuid.UUID, ids: Sequence[str], kind: str
    ) -> list[pb.MarketingProfile]:
        if not ids:
            return []
        token = set_current_principal(Principal(kind="service", tenant_id=str(tenant_id)))
        try:
            reply = await self._stub.GetMarketingProfiles(
                pb.GetMarketingProfilesRequest(ids=list(ids), kind=kind)
            )
        finally:
            reset_current_principal(token)
        return list(reply.profiles)
