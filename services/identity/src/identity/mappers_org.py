"""pb2 of the org chart and group resolution (AccessService), from rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from crm.identity.v1 import access_pb2 as pb
from identity.adapters.orm import UserRow
from identity.service_layer.org_chart import OrgChart


def group_users_to_pb(user_ids: Iterable[uuid.UUID]) -> pb.ResolveGroupUsersResponse:
    return pb.ResolveGroupUsersResponse(user_ids=[str(i) for i in user_ids])


def org_chart_to_pb(chart: OrgChart) -> pb.OrgChart:
    return pb.OrgChart(
        roles=[
            pb.OrgChartRole(id=str(r.id), name=r.name, parent_id=str(r.parent_id or ""))
            for r in chart.roles
        ],
        users=[
            pb.OrgChartUser(
                id=str(u.id), display_name=display_name(u), role_id=str(u.role_id or "")
            )
            for u in chart.users
        ],
    )


def display_name(user: UserRow) -> str:
    """First and last name, or the e-mail when the user has no name."""
    return " ".join(part for part in (user.first_name, user.last_name) if part) or user.email


def user_contacts_to_pb(rows: Iterable[UserRow]) -> pb.ResolveUserContactsResponse:
    return pb.ResolveUserContactsResponse(
        contacts=[
            pb.UserContact(
                user_id=str(u.id),
                email=u.email,
                display_name=display_name(u),
                language=u.language or "en",
                timezone=u.timezone or "UTC",
                active=bool(u.active),
            )
            for u in rows
        ]
    )


def users_with_permission_to_pb(
    user_ids: Iterable[uuid.UUID],
) -> pb.ResolveUsersWithPermissionResponse:
    return pb.ResolveUsersWithPermissionResponse(user_ids=[str(i) for i in user_ids])
