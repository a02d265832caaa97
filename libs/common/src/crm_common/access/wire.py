"""AccessContext <-> crm.identity.v1.AccessContext (the ResolveAccess answer)."""

from __future__ import annotations

from crm.identity.v1 import access_pb2
from crm_common.access.context import AccessContext


def from_pb(message: access_pb2.AccessContext) -> AccessContext:
    return AccessContext(
        tenant_id=message.tenant_id,
        user_id=message.user_id,
        api_key_id=message.api_key_id,
        all_records=message.all_records,
        permissions={m: frozenset(a.actions) for m, a in message.permissions.items()},
        fields={m: dict(r.rules) for m, r in message.fields.items()},
        defaults=dict(message.defaults),
        own_ids=frozenset(message.own_ids),
        shared_read={m: frozenset(s.owner_ids) for m, s in message.shared_read.items()},
        shared_write={m: frozenset(s.owner_ids) for m, s in message.shared_write.items()},
        role_id=message.role_id,
        profile_ids=tuple(message.profile_ids),
        group_ids=tuple(message.group_ids),
    )


def to_pb(ctx: AccessContext) -> access_pb2.AccessContext:
    message = access_pb2.AccessContext(
        tenant_id=ctx.tenant_id,
        user_id=ctx.user_id,
        api_key_id=ctx.api_key_id,
        all_records=ctx.all_records,
        defaults=dict(ctx.defaults),
        own_ids=sorted(ctx.own_ids),
        role_id=ctx.role_id,
        profile_ids=list(ctx.profile_ids),
        group_ids=list(ctx.group_ids),
    )
    for module, actions in ctx.permissions.items():
        message.permissions[module].actions.extend(sorted(actions))
    for module, rules in ctx.fields.items():
        message.fields[module].rules.update(rules)
    for module, owners in ctx.shared_read.items():
        message.shared_read[module].owner_ids.extend(sorted(owners))
    for module, owners in ctx.shared_write.items():
        message.shared_write[module].owner_ids.extend(sorted(owners))
    return message
