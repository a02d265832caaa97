from __future__ import annotations

from fastapi import APIRouter

from crm.identity.v1 import identity_pb2 as pb
from gateway import mappers
from gateway.deps import IdentityStub, RequireUser
from gateway.openapi import problem_responses
from gateway.schemas.users import MeRead

router = APIRouter(prefix="/me", tags=["me"], dependencies=[RequireUser])


@router.get("", responses=problem_responses(401), summary="The caller, its tenant and rights")
async def get_me(identity: IdentityStub) -> MeRead:
    return mappers.me_read(await identity.GetMe(pb.GetMeRequest()))
