"""Small things every inventory handler shares: who acts, committing with the
right error for a lost race."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm_common.access import AccessContext
from crm_common.db import UnitOfWork
from crm_common.errors import AlreadyExists, VersionConflict

SKU_INDEX = "uq_products_tenant_sku_key"
TIER_INDEX = "uq_price_book_entries_tier"


def actor(ctx: AccessContext) -> uuid.UUID | None:
    return uuid.UUID(ctx.user_id) if ctx.user_id else None


def tenant(ctx: AccessContext) -> uuid.UUID:
    return uuid.UUID(ctx.tenant_id)


async def commit(uow: UnitOfWork) -> None:
    """Commit; a stale version is 409 (ABORTED), a sku taken by a concurrent
    writer is 409 naming ``sku``."""
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("the record changed concurrently; read it again") from exc
    except IntegrityError as exc:
        if SKU_INDEX in str(exc.orig):
            raise AlreadyExists("a product with this sku exists", field="sku") from exc
        raise
