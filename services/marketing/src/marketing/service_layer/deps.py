"""What marketing's handlers need, built once by bootstrap.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from crm_common.access import AccessContext
from crm_common.auth import Principal
from crm_common.db import UnitOfWork
from marketing.config import MarketingSettings


class AccessResolver(Protocol):
    """What the caller may do (identity's ResolveAccess, cached). The entrypoint
    resolves it; handlers take the resulting AccessContext."""

    async def resolve(self, principal: Principal) -> AccessContext: ...


@dataclass
class MarketingDeps:
    settings: MarketingSettings
    uow: Callable[[], UnitOfWork]
