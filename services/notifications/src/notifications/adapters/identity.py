"""Identity as the e-mail channel needs it: users' contacts (address, name,
language, time zone), asked as this service
(principal kind "service" of the tenant), never as the end user."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crm.identity.v1 import access_pb2
from crm_common.auth import acting_as_service


@dataclass(frozen=True)
class Contact:
    user_id: str
    email: str
    display_name: str = ""
    language: str = "en"
    timezone: str = "UTC"
    active: bool = True


class IdentityDirectory:
    def __init__(self, stub: Any) -> None:
        self._stub = stub  # identity's AccessServiceStub

    async def contacts(
        self, tenant_id: uuid.UUID, user_ids: Sequence[uuid.UUID]
    ) -> dict[str, Contact]:
        """The known users among ``user_ids`` by id (inactive ones included)."""
        if not user_ids:
            return {}
        request = access_pb2.ResolveUserContactsRequest(user_ids=[str(i) for i in user_ids])
        with acting_as_service(tenant_id):
            reply = await self._stub.ResolveUserContacts(request)
        return {
            c.user_id: Contact(
                c.user_id, c.email, c.display_name, c.language or "en", c.timezone or "UTC",
                c.active,
            )
            for c in reply.contacts
        }  # fmt: skip
