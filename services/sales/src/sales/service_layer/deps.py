"""What sales' handlers need, built once by bootstrap.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from crm_common.access import AccessContext
from crm_common.auth import Principal
from crm_common.db import UnitOfWork
from sales.config import SalesSettings
from sales.domain.forecasts import OrgChart
from sales.domain.quotes import PriceSource


class AccessResolver(Protocol):
    """What the caller may do (identity's ResolveAccess, cached). The entrypoint
    resolves it; handlers take the resulting AccessContext."""

    async def resolve(self, principal: Principal) -> AccessContext: ...


class OrgChartSource(Protocol):
    """The role tree and its users (identity's GetOrgChart, for the current principal)."""

    async def org_chart(self) -> OrgChart: ...


class GroupDirectory(Protocol):
    """Identity's groups and active users, for assignment rules (current principal)."""

    async def group_users(self, group_id: uuid.UUID) -> list[uuid.UUID] | None: ...

    async def active_user_ids(self) -> set[uuid.UUID]: ...


@dataclass
class SalesDeps:
    settings: SalesSettings
    uow: Callable[[], UnitOfWork]
    org_chart: OrgChartSource | None = None
    groups: GroupDirectory | None = None
    pricing: PriceSource | None = None  # inventory's PriceQuote (quotes)
