"""Who acts and who owns: the rules every sales record shares."""

from __future__ import annotations

import uuid

from crm_common.access import AccessContext, may_edit_record
from crm_common.errors import InvalidArgument, PermissionDenied


def actor(ctx: AccessContext) -> uuid.UUID | None:
    """The user acting (None for an API key): ``created_by``/``updated_by``."""
    return uuid.UUID(ctx.user_id) if ctx.user_id else None


def owner_for(ctx: AccessContext, module: str, owner_id: object) -> uuid.UUID:
    """The given owner, or the caller; the caller must be able to edit that
    owner's records of ``module`` (no handing records to someone out of reach)."""
    if owner_id is None:
        if not ctx.user_id:
            raise InvalidArgument.for_field("owner_id", "required when an API key creates one")
        return uuid.UUID(ctx.user_id)
    assert isinstance(owner_id, uuid.UUID)
    if str(owner_id) != ctx.user_id and not may_edit_record(ctx, module, str(owner_id)):
        raise PermissionDenied(f"you may not give {module} to that owner", field="owner_id")
    return owner_id
