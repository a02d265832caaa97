"""Consent: subscribed, unsubscribed or suppressed addresses (module
email_campaigns). A refused address is never mailed by any campaign or
sequence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from crm.marketing.v1 import marketing_pb2 as pb
from gateway import mappers_marketing_campaigns as mappers
from gateway.deps import MarketingStub, RequireUser, UserIdempotency
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.marketing_campaigns import ConsentPage, ConsentRead, ConsentSet

router = APIRouter(prefix="/consents", tags=["consent"], dependencies=[RequireUser])


@router.get("", responses=problem_responses(401, 403, 422), summary="Consent records")
async def list_consents(
    marketing: MarketingStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: Annotated[str | None, Query(pattern="^(subscribed|unsubscribed|suppressed)$")] = None,
    email: Annotated[str | None, Query(max_length=254)] = None,
) -> ConsentPage:
    answer = await marketing.ListConsents(
        pb.ListConsentsRequest(
            page=page_request(limit, cursor), status=status or "", email=email or ""
        )
    )
    return ConsentPage(
        items=[mappers.consent_read(c) for c in answer.items],
        next_cursor=answer.page.next_cursor or None,
    )


@router.post(
    "",
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Set an address's consent (complaint or bounce: suppressed)",
)
async def set_consent(body: ConsentSet, marketing: MarketingStub) -> ConsentRead:
    answer = await marketing.SetConsent(
        pb.SetConsentRequest(email=body.email, status=body.status, reason=body.reason)
    )
    return mappers.consent_read(answer)
