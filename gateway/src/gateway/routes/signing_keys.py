"""Platform operation: rotate the key that signs access tokens."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from crm.identity.v1 import identity_pb2
from gateway.deps import IdentityStub, PlatformIdempotency, RequirePlatform
from gateway.openapi import problem_responses

router = APIRouter(prefix="/platform/signing-keys", tags=["platform"])


class SigningKeyRotated(BaseModel):
    kid: str


@router.post(
    "/rotate",
    dependencies=[RequirePlatform, PlatformIdempotency],
    responses=problem_responses(401, 403, 409, 422, 429),
    summary="Start signing with a new key; the old one stays published until its tokens expire",
)
async def rotate_signing_key(identity: IdentityStub) -> SigningKeyRotated:
    response = await identity.RotateSigningKey(identity_pb2.RotateSigningKeyRequest())
    return SigningKeyRotated(kid=response.kid)
