"""Installment plans of invoices (module ``invoices``): each installment's paid
amount and status (pending, partially_paid, paid, overdue) as of today."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from crm.inventory.v1 import billing_pb2 as pb
from gateway import mappers_billing as mappers
from gateway.deps import BillingStub, RequireUser, UserIdempotency
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.invoices import (
    InstallmentPlanCreate,
    InstallmentPlanPage,
    InstallmentPlanRead,
)

router = APIRouter(prefix="/installment-plans", tags=["invoices"], dependencies=[RequireUser])


@router.get("", responses=problem_responses(401, 403, 422), summary="Installment plans")
async def list_installment_plans(
    billing: BillingStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    invoice_id: UUID | None = None,
) -> InstallmentPlanPage:
    request = pb.ListInstallmentPlansRequest(
        page=page_request(limit, cursor), invoice_id=str(invoice_id or "")
    )
    answer = await billing.ListInstallmentPlans(request)
    return InstallmentPlanPage(
        items=[mappers.plan_read(p) for p in answer.items],
        next_cursor=answer.page.next_cursor or None,
    )


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Schedule an open invoice's total in installments (one plan per invoice)",
)
async def create_installment_plan(
    body: InstallmentPlanCreate, billing: BillingStub
) -> InstallmentPlanRead:
    return mappers.plan_read(await billing.CreateInstallmentPlan(mappers.plan_request(body)))
