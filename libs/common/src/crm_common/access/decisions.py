"""Decisions from an AccessContext: pure functions, plus the one SQL filter."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Uuid, true

from crm_common.access.context import ALL, AccessContext
from crm_common.auth import Principal
from crm_common.errors import PermissionDenied, Unauthenticated


def require_tenant(principal: Principal) -> str:
    """The caller's tenant id; every query of tenant data starts from it."""
    if not principal.is_authenticated or not principal.tenant_id:
        raise Unauthenticated("a tenant principal is required")
    return principal.tenant_id


def can(ctx: AccessContext, module: str, action: str) -> bool:
    for key in (module, ALL):
        actions = ctx.permissions.get(key, frozenset())
        if action in actions or ALL in actions:
            return True
    return False


def require(ctx: AccessContext, module: str, action: str) -> None:
    if not can(ctx, module, action):
        raise PermissionDenied(f"not allowed to {action} {module}")


def readable_owner_ids(ctx: AccessContext, module: str) -> frozenset[str] | None:
    """Owners whose records the caller may read; None means every record."""
    if ctx.all_records or ctx.default_for(module) != "private":
        return None
    return ctx.own_ids | ctx.shared_read.get(module, frozenset()) | _writable(ctx, module)


def writable_owner_ids(ctx: AccessContext, module: str) -> frozenset[str] | None:
    """Owners whose records the caller may change; None means every record."""
    if ctx.all_records or ctx.default_for(module) == "public_read_write":
        return None
    return ctx.own_ids | _writable(ctx, module)


def _writable(ctx: AccessContext, module: str) -> frozenset[str]:
    return ctx.shared_write.get(module, frozenset())


def visible_filter(ctx: AccessContext, module: str, owner_column: Any) -> ColumnElement[bool]:
    """The condition a repository adds to every query of ``module``'s records."""
    owners = readable_owner_ids(ctx, module)
    if owners is None:
        return true()
    if isinstance(getattr(owner_column, "type", None), Uuid):
        return owner_column.in_(sorted(_uuids(owners)))
    return owner_column.in_(sorted(owners))


def _uuids(values: Iterable[str]) -> set[uuid.UUID]:
    found = set()
    for value in values:
        with contextlib.suppress(ValueError):
            found.add(uuid.UUID(value))
    return found


def may_edit_record(ctx: AccessContext, module: str, owner_id: str) -> bool:
    owners = writable_owner_ids(ctx, module)
    return owners is None or owner_id in owners


def require_record_edit(ctx: AccessContext, module: str, owner_id: str) -> None:
    """Call after loading a record through ``visible_filter`` (invisible = not found)."""
    if not may_edit_record(ctx, module, owner_id):
        raise PermissionDenied(f"this {module} record is shared with you read-only")


def hidden_fields(ctx: AccessContext, module: str) -> frozenset[str]:
    rules = ctx.fields.get(module, {})
    return frozenset(name for name, rule in rules.items() if rule == "hidden")


def read_only_fields(ctx: AccessContext, module: str) -> frozenset[str]:
    """Fields the caller may not write: read-only and hidden ones."""
    return frozenset(ctx.fields.get(module, {}))


def redact(ctx: AccessContext, module: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` without the fields hidden from the caller (responses, exports, events)."""
    hidden = hidden_fields(ctx, module)
    return {key: value for key, value in data.items() if key not in hidden}


def check_writable_fields(ctx: AccessContext, module: str, names: Iterable[str]) -> None:
    """Refuse a write that touches a hidden or read-only field, naming the field."""
    blocked = read_only_fields(ctx, module)
    for name in sorted(names):
        if name in blocked:
            raise PermissionDenied(f"field {name} of {module} is read-only for you", field=name)
