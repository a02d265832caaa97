from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from crm.identity.v1 import identity_pb2 as pb
from gateway import mappers
from gateway.deps import IdentityStub, RequireUser
from gateway.openapi import problem_responses
from gateway.schemas.audit import AccessAuditPage
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[RequireUser])


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
    request = pb.ListAccessAuditRequest(page=mappers.page_request(limit, cursor))
    return mappers.audit_page(await identity.ListAccessAudit(request))
