"""Quotes (the sales service prices them with inventory and decides access,
module quotes); this router only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Header, Path, Query, Response

from crm.sales.v1 import quotes_pb2 as pb
from gateway import mappers_quotes as mappers
from gateway.deps import QuoteStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.quotes import (
    ActionBody,
    QuoteAccepted,
    QuoteCreate,
    QuoteLinesPut,
    QuotePage,
    QuoteRead,
    QuoteStatus,
    QuoteUpdate,
)

router = APIRouter(prefix="/quotes", tags=["quotes"], dependencies=[RequireUser])

QuoteId = Annotated[UUID, Path(alias="id", description="The quote's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
OptionalAction = Annotated[ActionBody | None, Body()]
# 503: inventory could not price the lines (nothing was stored).
PRICING = problem_responses(401, 403, 404, 409, 413, 422, 503)
CHANGE = problem_responses(401, 403, 404, 409, 413, 422)


def _with_etag(response: Response, quote: QuoteRead) -> QuoteRead:
    response.headers["ETag"] = etag(quote.version)
    return quote


@router.get("", responses=problem_responses(401, 403, 422), summary="Quotes you may see")
async def list_quotes(
    quotes: QuoteStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: QuoteStatus | None = None,
    owner_id: UUID | None = None,
    account_id: UUID | None = None,
    deal_id: UUID | None = None,
    q: Annotated[str | None, Query(max_length=200, description="In name and number")] = None,
) -> QuotePage:
    filters = {
        "status": status or "", "owner_id": str(owner_id or ""),
        "account_id": str(account_id or ""), "deal_id": str(deal_id or ""), "q": q or "",
    }  # fmt: skip
    request = mappers.list_quotes_request(limit, cursor, **filters)
    return mappers.quote_page(await quotes.ListQuotes(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=PRICING,
    summary="Create a draft quote; inventory prices its lines (422 names the line)",
)
async def create_quote(body: QuoteCreate, quotes: QuoteStub, response: Response) -> QuoteRead:
    quote = mappers.quote_read(await quotes.CreateQuote(mappers.create_quote_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/quotes/{quote.id}"
    return _with_etag(response, quote)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One quote")
async def get_quote(quote_id: QuoteId, quotes: QuoteStub, response: Response) -> QuoteRead:
    quote = await quotes.GetQuote(pb.GetQuoteRequest(id=str(quote_id)))
    return _with_etag(response, mappers.quote_read(quote))


@router.patch(
    "/{id}",
    responses=PRICING,
    summary="Change a draft's name, valid_until, contact, deal, region or price book",
)
async def update_quote(
    quote_id: QuoteId,
    body: QuoteUpdate,
    quotes: QuoteStub,
    response: Response,
    if_match: IfMatch = None,
) -> QuoteRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_quote_request(str(quote_id), body, version)
    return _with_etag(response, mappers.quote_read(await quotes.UpdateQuote(request)))


@router.put(
    "/{id}/lines",
    responses=PRICING,
    summary="Replace a draft's lines and price them (resets an approval)",
)
async def replace_lines(
    quote_id: QuoteId,
    body: QuoteLinesPut,
    quotes: QuoteStub,
    response: Response,
    if_match: IfMatch = None,
) -> QuoteRead:
    version = expected_version(if_match, body.version)
    request = mappers.lines_request(str(quote_id), body.lines, version)
    return _with_etag(response, mappers.quote_read(await quotes.ReplaceQuoteLines(request)))


def _action(rpc_name: str, path: str, summary: str, responses: dict[int | str, Any]) -> None:
    """One POST /quotes/{id}/<path> calling QuoteService.<rpc_name>."""

    async def endpoint(
        quote_id: QuoteId,
        quotes: QuoteStub,
        response: Response,
        body: OptionalAction = None,
        if_match: IfMatch = None,
    ) -> QuoteRead:
        version = expected_version(if_match, body.version if body else None)
        request = mappers.action_request(str(quote_id), body, version)
        quote = await getattr(quotes, rpc_name)(request)
        return _with_etag(response, mappers.quote_read(quote))

    endpoint.__name__ = path.replace("-", "_") + "_quote"
    router.post(
        f"/{{id}}/{path}",
        dependencies=[UserIdempotency],
        responses=responses,
        summary=summary,
    )(endpoint)


_action("RepriceQuote", "reprice", "Price a draft's lines again today", PRICING)
_action(
    "RequestQuoteApproval",
    "request-approval",
    "Ask a manager to approve the discounts (approval pending)",
    CHANGE,
)
_action("ApproveQuote", "approve", "Approve the discounts (someone above the owner)", CHANGE)
_action("RejectQuoteApproval", "reject-approval", "Refuse the discounts", CHANGE)
_action("SendQuote", "send", "Send the quote (409 while a needed approval is missing)", CHANGE)
_action("RejectQuote", "reject", "The customer rejected the sent quote", CHANGE)


@router.post(
    "/{id}/accept",
    dependencies=[UserIdempotency],
    responses=CHANGE,
    summary="The customer accepted: the quote becomes a sales order (409 when not sent/expired)",
)
async def accept_quote(
    quote_id: QuoteId,
    quotes: QuoteStub,
    body: OptionalAction = None,
    if_match: IfMatch = None,
) -> QuoteAccepted:
    version = expected_version(if_match, body.version if body else None)
    request = mappers.action_request(str(quote_id), body, version)
    return mappers.accepted_read(await quotes.AcceptQuote(request))
