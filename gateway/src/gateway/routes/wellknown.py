from __future__ import annotations

from fastapi import APIRouter, Response

from crm.identity.v1 import identity_pb2 as pb
from gateway.deps import IdentityStub
from gateway.openapi import problem_responses

router = APIRouter(tags=["keys"])

JWKS_CACHE_CONTROL = "public, max-age=300"


@router.get(
    "/.well-known/jwks.json",
    response_class=Response,
    responses={
        200: {"content": {"application/json": {}}, "description": "RFC 7517 JWK set"},
        **problem_responses(),
    },
    summary="Identity's public keys for verifying access tokens",
)
async def jwks(identity: IdentityStub) -> Response:
    answer = await identity.GetJwks(pb.GetJwksRequest())
    return Response(
        answer.jwks_json,
        media_type="application/json",
        headers={"Cache-Control": JWKS_CACHE_CONTROL},
    )
