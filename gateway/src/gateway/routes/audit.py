from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from crm.identity.v1 import identity_pb2 as pb
from gateway import mappers
from gateway.deps import IdentityStub, RequireUser
from gateway.openapi import problem_responses
from gateway.schemas.audit import AccessAuditPage
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[RequireUser])
log_router = APIRouter(prefix="/audit-log", tags=["audit"], dependencies=[RequireUser])

LOGIN_KINDS = ["login_succeeded", "login_failed", "refresh_reuse_detected", "logout"]
AuditKind = Literal[
    "login_succeeded",
    "login_failed",
    "refresh_reuse_detected",
    "logout",
    "access_changed",
    "access_denied",
]


@router.get(
    "/logins",
    responses=problem_responses(401, 403, 422),
    summary="Access audit: logins, failures, refresh-token reuse, logouts (admins)",
)
async def list_login_audit(
    identity: IdentityStub,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> AccessAuditPage:
    request = pb.ListAccessAuditRequest(page=mappers.page_request(limit, cursor), kinds=LOGIN_KINDS)
    return mappers.audit_page(await identity.ListAccessAudit(request))


@log_router.get(
    "",
    responses=problem_responses(401, 403, 422),
    summary="Audit log: logins, access-model changes, refused attempts (admins)",
)
async def list_audit_log(
    identity: IdentityStub,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    kind: Annotated[list[AuditKind] | None, Query()] = None,
) -> AccessAuditPage:
    request = pb.ListAccessAuditRequest(
        page=mappers.page_request(limit, cursor), kinds=list(kind or [])
    )
    return mappers.audit_page(await identity.ListAccessAudit(request))
