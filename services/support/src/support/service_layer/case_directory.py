"""Identity as case assignment and escalation need it: a group's users (round
robin, least loaded) and the org chart (the owner's manager).

Asked with the current principal (the gRPC client interceptor forwards it):
the caller's in a request; in background jobs, which have no caller, a service
principal of the case's tenant (``as_service``), which identity accepts for
ResolveGroupUsers and GetOrgChart like any principal of the tenant.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import grpc

from crm.identity.v1 import access_pb2
from crm_common.auth import Principal, reset_current_principal, set_current_principal
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


class IdentityDirectory:
    """Over identity's AccessServiceStub (``SupportDeps.identity_access``); the
    same answers as ``crm_common.access.groups.IdentityGroups``."""

    def __init__(self, stub: Any) -> None:
        self._stub = stub

    async def group_users(self, group_id: uuid.UUID) -> list[uuid.UUID] | None:
        """The group's active users, sorted; None when the tenant has no such group."""
        request = access_pb2.ResolveGroupUsersRequest(group_id=str(group_id))
        try:
            response = await self._stub.ResolveGroupUsers(request)
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise Unavailable(f"identity could not resolve the group: {exc.code().name}") from exc
        return sorted(uuid.UUID(i) for i in response.user_ids)

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


@contextmanager
def as_service(tenant_id: uuid.UUID) -> Iterator[None]:
    """Calls made inside act as the support service for ``tenant_id``."""
    token = set_current_principal(Principal(kind="service", tenant_id=str(tenant_id)))
    try:
        yield
    finally:
        reset_current_principal(token)
