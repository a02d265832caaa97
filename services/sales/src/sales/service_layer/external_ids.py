"""External ids of accounts and contacts: unique among the tenant's live records.

A friendly check answers first (409 naming ``external_id``); the partial unique
index settles a race, and ``taken_meanwhile`` maps that commit failure to the
same answer.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.db import UnitOfWork
from crm_common.errors import AlreadyExists, FailedPrecondition
from sales.adapters.account_lookup import ExternalIdModel, taken_external_ids
from sales.adapters.orm import AccountRow, ContactRow

INDEXES = ("ux_accounts_tenant_external_id", "ux_contacts_tenant_external_id")


def _what(model: ExternalIdModel) -> str:
    return model.__tablename__.removesuffix("s")


async def ensure_free(
    session: AsyncSession,
    model: ExternalIdModel,
    tenant_id: uuid.UUID,
    external_id: str | None,
    *,
    but: uuid.UUID | None = None,
) -> None:
    if external_id and await taken_external_ids(session, model, tenant_id, [external_id], but=but):
        raise AlreadyExists(
            f"another {_what(model)} has external_id {external_id!r}", field="external_id"
        )


async def ensure_restorable(session: AsyncSession, row: AccountRow | ContactRow) -> None:
    """A binned record whose external id a live one took since may not come back."""
    model = type(row)
    if row.external_id and await taken_external_ids(
        session, model, row.tenant_id, [row.external_id], but=row.id
    ):
        raise FailedPrecondition(
            f"another {_what(model)} has external_id {row.external_id!r} now; clear it first"
        )


def taken_meanwhile(exc: IntegrityError) -> AlreadyExists | None:
    """The 409 for a commit that lost an external-id race; None for other failures."""
    if any(index in str(exc.orig) for index in INDEXES):
        return AlreadyExists("another record took this external_id meanwhile", field="external_id")
    return None


async def commit(uow: UnitOfWork) -> None:
    """Commit; losing an external-id race is a 409 naming external_id."""
    try:
        await uow.commit()
    except IntegrityError as exc:
        conflict = taken_meanwhile(exc)
        if conflict is None:
            raise
        raise conflict from exc
