"""What marketing's handlers need, built once by bootstrap.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from crm.sales.v1 import marketing_profiles_pb2 as profiles_pb
from crm_common.access import AccessContext
from crm_common.auth import Principal
from crm_common.db import UnitOfWork, utcnow
from marketing.config import MarketingSettings


class AccessResolver(Protocol):
    """What the caller may do (identity's ResolveAccess, cached). The entrypoint
    resolves it; handlers take the resulting AccessContext."""

    async def resolve(self, principal: Principal) -> AccessContext: ...


class ProfileSource(Protocol):
    """Sales' MarketingProfileService, asked as this service for one tenant."""

    async def profiles(
        self, tenant_id: uuid.UUID, ids: Sequence[str], kind: str
    ) -> list[profiles_pb.MarketingProfile]: ...


@dataclass
class MarketingDeps:
    settings: MarketingSettings
    uow: Callable[[], UnitOfWork]
    profiles: ProfileSource | None = None
    now: Callable[[], datetime] = field(default=utcnow)

    @property
    def link_secret(self) -> str:
        return self.settings.marketing_link_secret.get_secret_value()
