"""Signing-key rotation and the published key set."""

from __future__ import annotations

import json

from crm.identity.v1 import events_pb2
from crm_common.auth import Principal
from crm_common.errors import PermissionDenied
from crm_common.events.envelope import NewEvent
from identity.domain import events
from identity.service_layer.deps import IdentityDeps


async def jwks_json(deps: IdentityDeps) -> str:
    return json.dumps(await deps.keys.jwks(), separators=(",", ":"))


async def rotate_signing_key(principal: Principal, deps: IdentityDeps) -> str:
    """Platform operators rotate the key shared by all tenants."""
    if principal.kind != "platform":
        raise PermissionDenied("only the platform operator rotates signing keys")
    async with deps.uow() as uow:
        kid = await deps.keys.rotate(uow.session)
        uow.record(
            NewEvent(events.SIGNING_KEY_ROTATED, "", kid, events_pb2.SigningKeyRotated(kid=kid))
        )
        await uow.commit()
    return kid
