"""The billing transactions ledger (module ``invoices``): append-only entries
for invoices issued and voided, payments and credit notes, signed so an
invoice's entries sum to its balance."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from crm.inventory.v1 import subscriptions_pb2 as pb
from gateway import mappers_subscriptions as mappers
from gateway.deps import RequireUser, SubscriptionStub
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.subscriptions import TransactionPage

router = APIRouter(prefix="/transactions", tags=["transactions"], dependencies=[RequireUser])


@router.get(
    "",
    responses=problem_responses(401, 403, 422),
    summary="Billing transactions, oldest first (per subscription, template, invoice, account)",
)
async def list_transactions(
    subscriptions: SubscriptionStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    subscription_id: UUID | None = None,
    recurring_invoice_id: UUID | None = None,
    invoice_id: UUID | None = None,
    account_id: UUID | None = None,
) -> TransactionPage:
    request = pb.ListTransactionsRequest(
        page=page_request(limit, cursor), subscription_id=str(subscription_id or ""),
        recurring_invoice_id=str(recurring_invoice_id or ""), invoice_id=str(invoice_id or ""),
        account_id=str(account_id or ""),
    )  # fmt: skip
    answer = await subscriptions.ListTransactions(request)
    return TransactionPage(
        items=[mappers.transaction_read(t) for t in answer.items],
        next_cursor=answer.page.next_cursor or None,
    )
