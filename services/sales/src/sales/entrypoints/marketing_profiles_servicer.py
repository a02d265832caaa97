"""MarketingProfileService servicer: internal callers only (a service principal)."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.sales.v1 import marketing_profiles_pb2 as pb
from crm.sales.v1 import marketing_profiles_pb2_grpc
from crm_common.auth import require_authenticated
from crm_common.grpc.server import Registration
from sales.service_layer import marketing_profiles
from sales.service_layer.deps import SalesDeps

Context: TypeAlias = grpc.aio.ServicerContext
SERVICE_NAME = "crm.sales.v1.MarketingProfileService"


def _to_pb(p: marketing_profiles.Profile) -> pb.MarketingProfile:
    return pb.MarketingProfile(
        id=p.id, kind=p.kind, email=p.email, first_name=p.first_name, last_name=p.last_name,
        company=p.company, title=p.title, industry=p.industry, employees=p.employees,
        country=p.country, tags=p.tags, status=p.status, owner_id=p.owner_id,
        language=p.language, account_id=p.account_id,
        converted_contact_id=p.converted_contact_id, converted_deal_id=p.converted_deal_id,
        deleted=p.deleted, source=p.source,
    )  # fmt: skip


class MarketingProfileServicer(marketing_profiles_pb2_grpc.MarketingProfileServiceServicer):
    def __init__(self, deps: SalesDeps) -> None:
        self._deps = deps

    async def GetMarketingProfiles(
        self, request: pb.GetMarketingProfilesRequest, context: Context
    ) -> pb.GetMarketingProfilesResponse:
        found = await marketing_profiles.get_profiles(
            require_authenticated(), self._deps, request.ids, request.kind
        )
        return pb.GetMarketingProfilesResponse(
            profiles=[_to_pb(p) for p in found.found], missing_ids=found.missing
        )


def marketing_profile_registration(deps: SalesDeps) -> Registration:
    servicer = MarketingProfileServicer(deps)
    return Registration(
        SERVICE_NAME,
        lambda server: marketing_profiles_pb2_grpc.add_MarketingProfileServiceServicer_to_server(
            servicer, server
        ),
    )
