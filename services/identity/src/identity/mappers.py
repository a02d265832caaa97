"""The one place where pb2 messages and identity's rows and commands meet."""

from __future__ import annotations

from typing import Any

from crm.common.v1 import types_pb2
from crm.identity.v1 import identity_pb2 as pb
from crm_common.access import AccessContext
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from crm_common.wire import parse_uuid, to_timestamp
from identity.adapters.orm import AccessAuditRow, TenantRow, UserRow
from identity.domain import commands


def tenant_to_pb(row: TenantRow) -> pb.Tenant:
    return pb.Tenant(
        id=str(row.id),
        name=row.name,
        slug=row.slug,
        timezone=row.timezone,
        currency=row.currency,
        created_at=to_timestamp(row.created_at),
    )


def user_to_pb(row: UserRow, hidden: frozenset[str] = frozenset()) -> pb.User:
    """``hidden`` fields (the caller's field rules) stay empty and are named."""
    user = pb.User(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        active=row.active,
        roles=list(row.roles),
        timezone=row.timezone,
        language=row.language,
        created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
        version=row.version,
        last_login_at=to_timestamp(row.last_login_at),
        role_id=str(row.role_id) if row.role_id else "",
        profile_ids=[str(p) for p in row.profile_ids],
        phone=row.phone,
        title=row.title,
    )
    for name in sorted(hidden):
        if name in pb.User.DESCRIPTOR.fields_by_name:
            user.ClearField(name)
            user.hidden_fields.append(name)
    return user


def audit_to_pb(row: AccessAuditRow) -> pb.AccessAuditEntry:
    return pb.AccessAuditEntry(
        id=str(row.id),
        event_id=str(row.event_id),
        kind=row.kind,
        user_id=str(row.user_id) if row.user_id else "",
        email=row.email,
        client_ip=row.client_ip,
        detail=row.detail,
        occurred_at=to_timestamp(row.occurred_at),
    )


def _update_value(req: pb.UpdateUserRequest, name: str) -> object:
    value = getattr(req, name)
    if name == "roles":
        return list(value)
    if name == "profile_ids":
        return [parse_uuid(p, "profile_ids") for p in value]
    if name == "role_id":
        return parse_uuid(value, "role_id") if value else None
    return value


def permission_strings(ctx: AccessContext) -> list[str]:
    """The caller's permissions as ``module:action`` (``*`` for every)."""
    return sorted(
        f"{module}:{action}" for module, actions in ctx.permissions.items() for action in actions
    )


def page_to_pb(page: Page[Any]) -> types_pb2.PageResponse:
    return types_pb2.PageResponse(next_cursor=page.next_cursor or "")


def create_tenant_cmd(req: pb.CreateTenantRequest) -> commands.CreateTenant:
    return commands.CreateTenant(
        name=req.name,
        slug=req.slug,
        admin_email=req.admin_email,
        admin_password=req.admin_password,
        timezone=req.timezone or "UTC",
        currency=req.currency or "USD",
    )


def create_user_cmd(req: pb.CreateUserRequest) -> commands.CreateUser:
    return commands.CreateUser(
        email=req.email,
        password=req.password,
        first_name=req.first_name,
        last_name=req.last_name,
        roles=list(req.roles) or ["user"],
        timezone=req.timezone or "UTC",
        language=req.language or "en",
        role_id=parse_uuid(req.role_id, "role_id") if req.role_id else None,
        profile_ids=[parse_uuid(p, "profile_ids") for p in req.profile_ids],
        phone=req.phone,
        title=req.title,
    )


def update_user_cmd(req: pb.UpdateUserRequest) -> commands.UpdateUser:
    unknown = set(req.update_mask) - commands.UPDATABLE_USER_FIELDS
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed")
    changes: dict[str, object] = {}
    for name in req.update_mask:
        changes[name] = _update_value(req, name)
    return commands.UpdateUser(parse_uuid(req.id), changes, req.expected_version)
