from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from crm.identity.v1 import identity_pb2 as pb
from gateway import mappers
from gateway.deps import (
    AnonymousCaller,
    AnonymousIdempotency,
    IdentityStub,
    RequireUser,
    UserIdempotency,
)
from gateway.openapi import problem_responses
from gateway.schemas.auth import LogoutRequest, RefreshRequest, TokenPairRead, TokenRequest

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    dependencies=[AnonymousIdempotency],
    responses=problem_responses(401, 413, 422),
    summary="Log in: a short-lived access token and a rotating refresh token",
)
async def issue_token(
    body: TokenRequest,
    caller: AnonymousCaller,
    identity: IdentityStub,
    user_agent: Annotated[str, Header(include_in_schema=False)] = "",
) -> TokenPairRead:
    request = mappers.issue_token_request(body, caller.client_ip, user_agent)
    return mappers.token_pair_read(await identity.IssueToken(request))


@router.post(
    "/refresh",
    dependencies=[AnonymousIdempotency],
    responses=problem_responses(401, 413, 422),
    summary="Exchange a refresh token for a new pair (the old one is spent)",
)
async def refresh_token(
    body: RefreshRequest, caller: AnonymousCaller, identity: IdentityStub
) -> TokenPairRead:
    request = pb.RefreshTokenRequest(refresh_token=body.refresh_token, client_ip=caller.client_ip)
    return mappers.token_pair_read(await identity.RefreshToken(request))


@router.post(
    "/logout",
    status_code=204,
    response_class=Response,
    dependencies=[RequireUser, UserIdempotency],
    responses=problem_responses(401, 413, 422),
    summary="Revoke the caller's session (and the given refresh token)",
)
async def logout(identity: IdentityStub, body: LogoutRequest | None = None) -> Response:
    refresh = body.refresh_token if body and body.refresh_token else ""
    await identity.Logout(pb.LogoutRequest(refresh_token=refresh))
    return Response(status_code=204)
