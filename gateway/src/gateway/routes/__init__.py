"""One router per resource; ``api_router`` mounts them under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.routes import (
    account_overview,
    accounts,
    activities,
    api_keys,
    assignment_rules,
    audit,
    auth,
    contacts,
    deals,
    forecasts,
    groups,
    lead_conversion,
    leads,
    me,
    pipelines,
    price_books,
    products,
    profiles,
    quotes,
    recycle_bin,
    roles,
    sales_orders,
    sharing,
    signing_keys,
    tax_rates,
    tenants,
    usage,
    users,
)
from gateway.routes.prefix import API_PREFIX


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    router.include_router(audit.log_router)
    for module in (
        tenants,
        auth,
        me,
        users,
        audit,
        signing_keys,
        roles,
        profiles,
        groups,
        sharing,
        api_keys,
        usage,
        leads,
        lead_conversion,
        account_overview,
        accounts,
        contacts,
        activities,
        assignment_rules,
        pipelines,
        deals,
        forecasts,
        recycle_bin,
        products,
        price_books,
        tax_rates,
        quotes,
        sales_orders,
    ):
        router.include_router(module.router)
    return router
