"""Public marketing links, no login: the signed token in the link is the
credential (HMAC, checked by the marketing service). Unsubscribe (GET from the
mail, POST for one-click List-Unsubscribe), the open pixel and click redirects.
Callers are rate-limited per client IP like every anonymous call."""

from __future__ import annotations

import base64
from html import escape
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crm.marketing.v1 import marketing_pb2 as pb
from gateway.deps import AnonymousCaller, MarketingStub
from gateway.openapi import problem_responses

router = APIRouter(prefix="/public", tags=["public"])

Token = Annotated[
    str,
    Query(
        min_length=1, max_length=200, description="The signed link token",
        examples=["eyJ0IjoiYyJ9.c2lnbmF0dXJl"],
    ),
]  # fmt: skip
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_STORE = {"Cache-Control": "no-store"}


async def _unsubscribe(token: str, marketing: MarketingStub) -> HTMLResponse:
    answer = await marketing.Unsubscribe(pb.PublicTokenRequest(token=token))
    body = (
        "<!doctype html><meta charset=utf-8><title>Unsubscribed</title>"
        f"<p>{escape(answer.email)} will receive no more marketing e-mail from us.</p>"
    )
    return HTMLResponse(body, headers=NO_STORE)


@router.get(
    "/unsubscribe",
    response_class=HTMLResponse,
    responses=problem_responses(404, 422, 429),
    summary="Unsubscribe the address a marketing e-mail went to (signed token, no login)",
)
async def unsubscribe(token: Token, caller: AnonymousCaller, marketing: MarketingStub) -> Response:
    return await _unsubscribe(token, marketing)


@router.post(
    "/unsubscribe",
    response_class=HTMLResponse,
    responses=problem_responses(404, 422, 429),
    summary="One-click unsubscribe (RFC 8058), same token",
)
async def unsubscribe_one_click(
    token: Token, caller: AnonymousCaller, marketing: MarketingStub
) -> Response:
    return await _unsubscribe(token, marketing)


@router.get(
    "/track/open",
    response_class=Response,
    responses={200: {"content": {"image/gif": {}}}, **problem_responses(404, 422, 429)},
    summary="Open-tracking pixel (signed token)",
)
async def track_open(token: Token, caller: AnonymousCaller, marketing: MarketingStub) -> Response:
    await marketing.TrackOpen(pb.PublicTokenRequest(token=token))
    return Response(PIXEL, media_type="image/gif", headers=NO_STORE)


@router.get(
    "/track/click",
    status_code=302,
    response_class=RedirectResponse,
    responses=problem_responses(404, 422, 429),
    summary="Click tracking: records the click, then redirects (token signs the URL)",
)
async def track_click(
    token: Token,
    url: Annotated[
        str,
        Query(
            min_length=1, max_length=2000, pattern="^https?://", examples=["https://example.com/"]
        ),
    ],
    caller: AnonymousCaller,
    marketing: MarketingStub,
) -> Response:
    answer = await marketing.TrackClick(pb.TrackClickRequest(token=token, url=url))
    return RedirectResponse(answer.url, status_code=302, headers=NO_STORE)
