"""Marketing's view of leads and contacts (MarketingProfileService).

Sales' events carry ids only; marketing keeps its own read model and asks here
for the few details it needs (address, names, company, firmographics, tags,
status, owner, language). Only a service principal of the tenant may ask, so
no user can read contact details through this door; each answer is limited
to that tenant's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from crm_common.auth import Principal
from crm_common.errors import InvalidArgument, PermissionDenied
from sales.adapters.orm import AccountRow, ContactRow, LeadRow
from sales.service_layer.deps import SalesDeps

KINDS = ("lead", "contact")
MAX_IDS = 500


@dataclass(frozen=True)
class Profile:
    id: str
    kind: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    industry: str = ""
    employees: int = 0
    country: str = ""
    tags: list[str] = field(default_factory=list)
    status: str = ""
    owner_id: str = ""
    language: str = ""
    account_id: str = ""
    converted_contact_id: str = ""
    converted_deal_id: str = ""
    deleted: bool = False
    source: str = ""


@dataclass(frozen=True)
class Profiles:
    found: list[Profile]
    missing: list[str]


def _tenant(principal: Principal) -> uuid.UUID:
    if principal.kind != "service" or not principal.tenant_id:
        raise PermissionDenied("marketing profiles are for internal services only")
    try:
        return uuid.UUID(principal.tenant_id)
    except ValueError as exc:
        raise PermissionDenied("the service principal names no tenant") from exc


def _ids(raw: Iterable[str]) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = []
    for value in raw:
        try:
            ids.append(uuid.UUID(value))
        except ValueError as exc:
            raise InvalidArgument.for_field("ids", f"{value[:40]!r} is not a UUID") from exc
    if len(ids) > MAX_IDS:
        raise InvalidArgument.for_field("ids", f"at most {MAX_IDS} per call")
    return ids


def _employees(custom: Mapping[str, Any]) -> int:
    for key in ("employees", "company_size", "number_of_employees"):
        value = custom.get(key)
        try:
            return max(0, int(value)) if value not in (None, "") else 0
        except (TypeError, ValueError):
            continue
    return 0


def _text(custom: Mapping[str, Any], key: str) -> str:
    value = custom.get(key)
    return str(value)[:100] if isinstance(value, str | int) else ""


def _opt(value: uuid.UUID | None) -> str:
    return str(value) if value is not None else ""


def _lead(row: LeadRow) -> Profile:
    custom = row.custom_fields or {}
    return Profile(
        id=str(row.id), kind="lead", email=row.email, first_name=row.first_name,
        last_name=row.last_name, company=row.company, title=row.title, industry=row.industry,
        employees=_employees(custom), country=_text(custom, "country"), tags=list(row.tags or []),
        status=row.status, owner_id=str(row.owner_id), language=_text(custom, "language"),
        account_id=_opt(row.converted_account_id),
        converted_contact_id=_opt(row.converted_contact_id),
        converted_deal_id=_opt(row.converted_deal_id), deleted=row.deleted_at is not None,
        source=row.source,
    )  # fmt: skip


def _contact(row: ContactRow, account: AccountRow | None) -> Profile:
    custom = row.custom_fields or {}
    acc_custom = (account.custom_fields or {}) if account is not None else {}
    address = (account.billing_address or {}) if account is not None else {}
    return Profile(
        id=str(row.id), kind="contact", email=row.email, first_name=row.first_name,
        last_name=row.last_name, company=account.name if account is not None else "",
        title=row.title, industry=account.industry if account is not None else "",
        employees=_employees(custom) or _employees(acc_custom),
        country=_text(custom, "country") or str(address.get("country", ""))[:100],
        tags=list(row.tags or []), owner_id=str(row.owner_id),
        language=_text(custom, "language"), account_id=str(row.account_id),
        deleted=row.deleted_at is not None,
    )  # fmt: skip


async def get_profiles(
    principal: Principal, deps: SalesDeps, ids: Iterable[str], kind: str
) -> Profiles:
    tenant_id = _tenant(principal)
    if kind not in KINDS:
        raise InvalidArgument.for_field("kind", "must be lead or contact")
    wanted = _ids(ids)
    if not wanted:
        return Profiles([], [])
    async with deps.uow() as uow:
        if kind == "lead":
            leads = await uow.session.scalars(
                sa.select(LeadRow).where(LeadRow.tenant_id == tenant_id, LeadRow.id.in_(wanted))
            )
            found = [_lead(row) for row in leads]
        else:
            stmt = (
                sa.select(ContactRow, AccountRow)
                .outerjoin(
                    AccountRow,
                    sa.and_(
                        AccountRow.id == ContactRow.account_id, AccountRow.tenant_id == tenant_id
                    ),
                )
                .where(ContactRow.tenant_id == tenant_id, ContactRow.id.in_(wanted))
            )
            found = [_contact(c, a) for c, a in (await uow.session.execute(stmt)).all()]
    known = {p.id for p in found}
    return Profiles(found, [str(i) for i in wanted if str(i) not in known])
