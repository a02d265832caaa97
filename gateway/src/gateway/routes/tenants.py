from __future__ import annotations

from fastapi import APIRouter

from gateway import mappers
from gateway.deps import IdentityStub, PlatformIdempotency, RequirePlatform
from gateway.openapi import problem_responses
from gateway.schemas.tenants import TenantCreate, TenantCreated

router = APIRouter(prefix="/tenants", tags=["tenants"])


@router.post(
    "",
    status_code=201,
    dependencies=[RequirePlatform, PlatformIdempotency],
    responses=problem_responses(401, 409, 413, 422),
    summary="Create a tenant and its first admin (platform operators only)",
)
async def create_tenant(body: TenantCreate, identity: IdentityStub) -> TenantCreated:
    response = await identity.CreateTenant(mappers.create_tenant_request(body))
    return mappers.tenant_created(response)
