"""What the field-service handlers share: who acts, who owns, today, and the
commit that turns a lost race into the right error."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from crm_common.access import AccessContext, may_edit_record
from crm_common.db import UnitOfWork
from crm_common.errors import InvalidArgument, PermissionDenied, VersionConflict


def actor(ctx: AccessContext) -> uuid.UUID | None:
    """The user acting (None for an API key): ``created_by``/``updated_by``."""
    return uuid.UUID(ctx.user_id) if ctx.user_id else None


def tenant(ctx: AccessContext) -> uuid.UUID:
    return uuid.UUID(ctx.tenant_id)


def today() -> date:
    return datetime.now(UTC).date()


def owner_for(
    ctx: AccessContext, module: str, owner_id: object, field: str = "owner_id"
) -> uuid.UUID:
    """The given owner, or the caller; the caller must be able to edit that
    owner's records of ``module`` (no handing records to someone out of reach)."""
    if owner_id is None:
        if not ctx.user_id:
            raise InvalidArgument.for_field(field, "required when an API key creates one")
        return uuid.UUID(ctx.user_id)
    assert isinstance(owner_id, uuid.UUID)
    if str(owner_id) != ctx.user_id and not may_edit_record(ctx, module, str(owner_id)):
        raise PermissionDenied(f"you may not give {module} records to that user", field=field)
    return owner_id


def given(values: dict[str, Any]) -> dict[str, Any]:
    """A create's values without the absent (None) ones, which defaults fill."""
    return {name: value for name, value in values.items() if value is not None}


def check_version(expected: int, actual: int) -> None:
    if expected and expected != actual:
        raise VersionConflict(f"the record is at version {actual}, not {expected}")


async def commit(uow: UnitOfWork) -> None:
    """Commit; a row changed underneath is 409 (ABORTED)."""
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("the record changed concurrently; read it again") from exc
