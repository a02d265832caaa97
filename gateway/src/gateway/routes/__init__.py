"""One router per resource; ``api_router`` mounts them under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.routes import (
    accounts,
    api_keys,
    audit,
    auth,
    contacts,
    groups,
    leads,
    me,
    profiles,
    recycle_bin,
    roles,
    sharing,
    signing_keys,
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
        accounts,
        contacts,
        recycle_bin,
    ):
        router.include_router(module.router)
    return router
