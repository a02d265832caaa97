"""GET /accounts/{id}/overview: the account 360 view (see gateway/overview.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query

from crm.sales.v1 import sales_pb2
from gateway import mappers_accounts, mappers_activities, mappers_deals, mappers_quotes
from gateway.deps import ActivityStub, DealStub, QuoteStub, RequireUser, SalesStub, Settings
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.overview import PartCall, PartResult, gather_parts
from gateway.schemas.account_overview import AccountOverview, OverviewPart

router = APIRouter(prefix="/accounts", tags=["accounts"], dependencies=[RequireUser])

AccountId = Annotated[UUID, Path(alias="id", description="The account's id (UUID)")]
PartLimit = Annotated[int, Query(ge=1, le=50, description="Items per part")]


@router.get(
    "/{id}/overview",
    responses=problem_responses(401, 403, 404, 422),
    summary="The account with its contacts, open deals, quotes, orders and activities",
)
async def account_overview(
    account_id: AccountId,
    *,
    settings: Settings,
    sales: SalesStub,
    deals: DealStub,
    quotes: QuoteStub,
    activities: ActivityStub,
    limit: PartLimit = 10,
) -> AccountOverview:
    # The account itself is the subject: if it cannot be read, the view fails.
    account = await sales.GetAccount(sales_pb2.GetAccountRequest(id=str(account_id)))
    of_account = str(account_id)
    page = page_request(limit, None)
    calls: dict[str, PartCall] = {
        "contacts": lambda t: sales.ListContacts(
            sales_pb2.ListContactsRequest(page=page, account_id=of_account), timeout=t
        ),
        "open_deals": lambda t: deals.ListDeals(
            mappers_deals.list_deals_request(limit, None, account_id=of_account, status="open"),
            timeout=t,
        ),
        "quotes": lambda t: quotes.ListQuotes(
            mappers_quotes.list_quotes_request(limit, None, account_id=of_account), timeout=t
        ),
        "orders": lambda t: quotes.ListSalesOrders(
            mappers_quotes.list_orders_request(limit, None, account_id=of_account), timeout=t
        ),
        "activities": lambda t: activities.ListActivities(
            mappers_activities.list_activities_request(
                limit, None, {"related_type": "account", "related_id": of_account}
            ),
            timeout=t,
        ),
    }
    parts = await gather_parts(calls, settings.overview_part_deadline_seconds)
    return AccountOverview(
        account=mappers_accounts.account_read(account),
        contacts=_part(parts["contacts"], mappers_accounts.contact_page),
        open_deals=_part(parts["open_deals"], mappers_deals.deal_page),
        quotes=_part(parts["quotes"], mappers_quotes.quote_page),
        orders=_part(parts["orders"], mappers_quotes.order_page),
        activities=_part(parts["activities"], mappers_activities.activity_page),
    )


def _part(result: PartResult, to_page: Callable[[Any], Any]) -> Any:
    if result.status != "ok":
        return OverviewPart(status=result.status, detail=result.detail)
    page = to_page(result.answer)
    return OverviewPart(status="ok", items=page.items, next_cursor=page.next_cursor)
