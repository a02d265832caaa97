"""Small helpers the pipeline and deal handlers share."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm_common.access import AccessContext, require_record_edit
from crm_common.db import UnitOfWork
from crm_common.errors import AlreadyExists, VersionConflict
from crm_common.events.envelope import NewEvent
from sales.adapters.orm_deals import DealRow
from sales.domain.deals import DEALS
from sales.service_layer import ownership


def tenant_of(ctx: AccessContext) -> uuid.UUID:
    return uuid.UUID(ctx.tenant_id)


def check_editable(ctx: AccessContext, deal: DealRow, expected_version: int) -> None:
    require_record_edit(ctx, DEALS, str(deal.owner_id))
    if expected_version and expected_version != deal.version:
        raise VersionConflict(f"the deal is at version {deal.version}, not {expected_version}")


def event(subject: str, deal: DealRow, payload: Any, ctx: AccessContext) -> NewEvent:
    return NewEvent(
        subject, str(deal.tenant_id), str(deal.id), payload, actor_id=ctx.user_id or ctx.api_key_id
    )


async def commit(uow: UnitOfWork) -> None:
    """Commit; a concurrent change is a version conflict, a concurrent duplicate
    (a name or a default taken meanwhile) already exists."""
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("the record changed concurrently; read it again") from exc
    except IntegrityError as exc:
        raise AlreadyExists("a concurrent change took this first; try again") from exc


def owner_for(ctx: AccessContext, owner_id: object) -> uuid.UUID:
    return ownership.owner_for(ctx, DEALS, owner_id)
