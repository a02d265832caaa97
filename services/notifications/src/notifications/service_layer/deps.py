"""What notifications' handlers need, built once by bootstrap.py."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from crm_common.auth import Principal
from crm_common.db import UnitOfWork
from crm_common.errors import PermissionDenied, Unauthenticated

# Whether the caller may see a sales record (sales answers with the caller's
# principal); (record_type, record_id) -> visible.
RecordCheck = Callable[[str, uuid.UUID], Awaitable[bool]]


@dataclass(frozen=True)
class Caller:
    """A signed-in user: notifications and follows are always the caller's own."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID

    @classmethod
    def of(cls, principal: Principal) -> Caller:
        """Users only: an API key has no notification centre of its own."""
        if not principal.is_authenticated:
            raise Unauthenticated("sign in first")
        if principal.kind != "user" or not principal.user_id:
            raise PermissionDenied("notifications are for signed-in users")
        return cls(uuid.UUID(principal.tenant_id), uuid.UUID(principal.user_id))


@dataclass
class NotificationsDeps:
    uow: Callable[[], UnitOfWork]
    # identity's AccessServiceStub (users' contacts, groups, org chart); None in tests
    # that need no identity.
    identity_access: Any = None
