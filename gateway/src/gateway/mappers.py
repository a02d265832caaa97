"""pb2 <-> schema conversion, the one place (pb2 messages never reach a route's
return value, schemas never reach a stub)."""

from __future__ import annotations

from crm.common.v1 import types_pb2
from crm.identity.v1 import identity_pb2 as pb
from crm_common.wire import time_field
from gateway.schemas.audit import AccessAuditPage, AccessAuditRead
from gateway.schemas.auth import TokenPairRead, TokenRequest
from gateway.schemas.tenants import TenantCreate, TenantCreated, TenantRead
from gateway.schemas.users import MeRead, UserCreate, UserPage, UserRead, UserUpdate

UPDATABLE_FIELDS = (
    "email", "password", "first_name", "last_name", "active", "roles", "timezone", "language",
    "role_id", "profile_ids", "phone", "title",
)  # fmt: skip


def page_request(limit: int, cursor: str | None) -> types_pb2.PageRequest:
    return types_pb2.PageRequest(limit=limit, cursor=cursor or "")


def _next_cursor(page: types_pb2.PageResponse) -> str | None:
    return page.next_cursor or None


# Tenants


def create_tenant_request(body: TenantCreate) -> pb.CreateTenantRequest:
    return pb.CreateTenantRequest(
        name=body.name,
        slug=body.slug,
        admin_email=body.admin_email,
        admin_password=body.admin_password,
        timezone=body.timezone or "",
        currency=body.currency or "",
    )


def tenant_read(tenant: pb.Tenant) -> TenantRead:
    return TenantRead(
        id=tenant.id,
        name=tenant.name,
        slug=tenant.slug,
        timezone=tenant.timezone,
        currency=tenant.currency,
        created_at=time_field(tenant, "created_at"),
    )


def tenant_created(response: pb.CreateTenantResponse) -> TenantCreated:
    return TenantCreated(
        **tenant_read(response.tenant).model_dump(), admin_user_id=response.admin_user_id
    )


# Tokens


def issue_token_request(
    body: TokenRequest, client_ip: str, user_agent: str
) -> pb.IssueTokenRequest:
    return pb.IssueTokenRequest(
        tenant=body.tenant,
        email=body.email,
        password=body.password,
        client_ip=client_ip,
        user_agent=user_agent[:512],
    )


def token_pair_read(pair: pb.TokenPair) -> TokenPairRead:
    return TokenPairRead(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type=pair.token_type or "bearer",
        expires_in=pair.expires_in,
    )


# Users


def create_user_request(body: UserCreate) -> pb.CreateUserRequest:
    return pb.CreateUserRequest(
        email=body.email,
        password=body.password,
        first_name=body.first_name,
        last_name=body.last_name,
        roles=body.roles,
        timezone=body.timezone or "",
        language=body.language or "",
        role_id=body.role_id or "",
        profile_ids=body.profile_ids,
        phone=body.phone,
        title=body.title,
    )


def update_user_request(
    user_id: str, body: UserUpdate, expected_version: int
) -> pb.UpdateUserRequest:
    present = [name for name in UPDATABLE_FIELDS if name in body.model_fields_set]
    values = {name: getattr(body, name) for name in present}
    return pb.UpdateUserRequest(
        id=user_id, update_mask=present, expected_version=expected_version, **values
    )


def user_read(user: pb.User) -> UserRead:
    return UserRead(
        id=user.id,
        tenant_id=user.tenant_id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        active=user.active,
        roles=list(user.roles),
        timezone=user.timezone,
        language=user.language,
        version=user.version,
        created_at=time_field(user, "created_at"),
        updated_at=time_field(user, "updated_at"),
        last_login_at=time_field(user, "last_login_at"),
        role_id=user.role_id or None,
        profile_ids=list(user.profile_ids),
        phone=user.phone,
        title=user.title,
        hidden_fields=list(user.hidden_fields),
    )


def user_page(response: pb.ListUsersResponse) -> UserPage:
    return UserPage(
        items=[user_read(u) for u in response.items], next_cursor=_next_cursor(response.page)
    )


def me_read(me: pb.Me) -> MeRead:
    return MeRead(
        user=user_read(me.user), tenant=tenant_read(me.tenant), permissions=list(me.permissions)
    )


# Access audit


def audit_entry_read(entry: pb.AccessAuditEntry) -> AccessAuditRead:
    return AccessAuditRead(
        id=entry.id,
        event_id=entry.event_id,
        kind=entry.kind,
        user_id=entry.user_id,
        email=entry.email,
        client_ip=entry.client_ip,
        detail=entry.detail,
        occurred_at=time_field(entry, "occurred_at"),
    )


def audit_page(response: pb.ListAccessAuditResponse) -> AccessAuditPage:
    return AccessAuditPage(
        items=[audit_entry_read(e) for e in response.items],
        next_cursor=_next_cursor(response.page),
    )
