"""Identity as case assignment and escalation need it: a group's users (round
robin, least loaded) and the org chart (the owner's manager).

Asked with the current principal (the gRPC client interceptor forwards it):
the caller's in a request; in background jobs, which have no caller, a service
principal of the case's tenant (``crm_common.auth.acting_as_service``), which identity accepts for
ResolveGroupUsers and GetOrgChart like any principal of the tenant.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import grpc

from crm.identity.v1 import access_pb2
from crm_common.access.groups import IdentityGroups
from crm_common.errors import Unavailable


@dataclass(frozen=True)
class OrgChart:
    parent_of: dict[str, str]  # role id -> parent role id ("" at the root)
    role_of: dict[uuid.UUID, str]  # active user -> role id ("" without a role)

    def manager_of(self, user_id: uuid.UUID) -> uuid.UUID | None:
        """A user in the parent role of the user's role (the smallest id); when
        that role has no active user, the next role up that has one."""
        role = self.role_of.get(user_id, "")
        seen: set[str] = set()
        while role and role not in seen:
            seen.add(role)
            role = self.parent_of.get(role, "")
            users = sorted(u for u, r in self.role_of.items() if r == role and role)
            if users:
                return users[0]
        return None


class GroupDirectory(Protocol):
    async def group_users(self, group_id: uuid.UUID) -> list[uuid.UUID] | None: ...

    async def org_chart(self) -> OrgChart: ...


class IdentityDirectory(IdentityGroups):
    """Group members as sales' assignment rules get them (``IdentityGroups``), plus
    the org chart, over identity's AccessServiceStub (``SupportDeps.identity_access``)."""

    async def org_chart(self) -> OrgChart:
        try:
            chart = await self._stub.GetOrgChart(access_pb2.GetOrgChartRequest())
        except grpc.aio.AioRpcError as exc:
            raise Unavailable(f"identity could not give the org chart: {exc.code().name}") from exc
        return OrgChart(
            parent_of={r.id: r.parent_id for r in chart.roles},
            role_of={uuid.UUID(u.id): u.role_id for u in chart.users},
        )


def directory_of(deps: Any) -> GroupDirectory | None:
    stub = getattr(deps, "identity_access", None)
    return None if stub is None else IdentityDirectory(stub)
