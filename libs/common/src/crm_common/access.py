"""The access-check hook every service calls before touching data.

Today a permission is a string ``module:action`` (or ``*`` for administrators)
carried in the principal. Record visibility (owner, the owner's superiors in the
role hierarchy, groups, sharing rules) plugs in through ``RecordVisibility``
without changing callers: repositories ask ``visible_to(principal, ...)`` for a
query filter and services ask ``require(principal, module, action)``.
"""

from __future__ import annotations

from typing import Any, Protocol

from crm_common.auth import Principal
from crm_common.errors import PermissionDenied, Unauthenticated

ACTIONS = ("view", "create", "edit", "delete", "export", "import")


def can(principal: Principal, module: str, action: str) -> bool:
    if not principal.is_authenticated:
        return False
    perms = principal.permissions
    return "*" in perms or f"{module}:{action}" in perms or f"{module}:*" in perms


def require(principal: Principal, module: str, action: str) -> None:
    """Raise unless ``principal`` may perform ``action`` on ``module``."""
    if not principal.is_authenticated:
        raise Unauthenticated("authentication required")
    if not can(principal, module, action):
        raise PermissionDenied(f"not allowed to {action} {module}")


def require_tenant(principal: Principal) -> str:
    """The caller's tenant id; every query of tenant data starts from it."""
    if not principal.is_authenticated or not principal.tenant_id:
        raise Unauthenticated("a tenant principal is required")
    return principal.tenant_id


class RecordVisibility(Protocol):
    """Builds the SQL condition that keeps only records the principal may see."""

    def visible_to(self, principal: Principal, module: str, owner_column: Any) -> Any: ...


class TenantWideVisibility:
    """Every record of the caller's tenant is visible (the default before sharing
    rules exist); the tenant filter itself is applied by the repositories."""

    def visible_to(self, principal: Principal, module: str, owner_column: Any) -> Any:
        from sqlalchemy import true

        return true()
