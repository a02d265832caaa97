"""Lead conversion against real PostgreSQL: one transaction, merge without
overwriting, lineage both ways, read-only afterwards, and no partial rows when a
step fails mid-way."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from crm_common.events.tables import OutboxMessage
from sales.adapters.orm import AccountRow, ContactRow, LeadRow
from sales.domain.commands import CreateLead, CreateRecord, UpdateLead
from sales.service_layer import accounts, activities, conversion, deals, leads
from sales.service_layer.conversion import ConvertLead
from sales.service_layer.deps import SalesDeps

MODULES = ("leads", "accounts", "contacts", "deals", "activities")
WORK = frozenset({"view", "create", "edit", "export"})


def _ctx(
    tenant: str, user: str, *, modules: tuple[str, ...] = MODULES, **extra: Any
) -> AccessContext:
    return AccessContext(
        tenant_id=tenant,
        user_id=user,
        permissions={module: WORK for module in modules},
        defaults=dict.fromkeys(MODULES, "private"),
        own_ids=frozenset({user}),
        **extra,
    )


def _rep() -> AccessContext:
    return _ctx(str(uuid.uuid4()), str(uuid.uuid4()))


async def _lead(deps: SalesDeps, ctx: AccessContext, **values: object) -> uuid.UUID:
    base = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
    cmd = CreateLead(values={**base, "company": "Analytical Ltd", **values})
    created, _ = await leads.create_lead(cmd, ctx, deps)
    return created.row.id


async def _rows(deps: SalesDeps, model: Any, tenant: str) -> list[Any]:
    async with deps.uow() as uow:
        stmt = sa.select(model).where(model.tenant_id == uuid.UUID(tenant))
        return list((await uow.session.scalars(stmt)).all())


async def _subjects(deps: SalesDeps, tenant: str) -> list[str]:
    """Subjects of the tenant's outbox, oldest first."""
    async with deps.uow() as uow:
        stmt = sa.select(OutboxMessage.subject).where(OutboxMessage.tenant_id == tenant)
        return list((await uow.session.scalars(stmt.order_by(OutboxMessage.seq))).all())


async def test_conversion_creates_account_contact_and_deal_with_lineage(deps: SalesDeps) -> None:
    rep = _rep()
    lead_id = await _lead(deps, rep, industry="Computing", title="Countess")
    cmd = ConvertLead(lead_id, create_deal=True, amount=Decimal("1200.50"), currency="EUR")
    done = await conversion.convert_lead(cmd, rep, deps)

    account = (await accounts.get_account(done.account_id, rep, deps)).row
    contact = (await accounts.get_contact(done.contact_id, rep, deps)).row
    assert done.account_created and done.deal_id is not None
    assert (account.name, account.industry, account.lead_id) == (
        "Analytical Ltd",
        "Computing",
        lead_id,
    )
    assert (contact.account_id, contact.email, contact.title) == (
        account.id,
        "ada@example.com",
        "Countess",
    )
    assert contact.lead_id == lead_id
    lead = (await leads.get_lead(lead_id, rep, deps)).row
    assert lead.status == "converted"
    assert (lead.converted_account_id, lead.converted_contact_id) == (account.id, contact.id)
    assert lead.converted_deal_id == done.deal_id and lead.converted_at is not None
    assert await _subjects(deps, rep.tenant_id) == [
        "crm.sales.lead.created",
        "crm.sales.account.created",
        "crm.sales.contact.created",
        "crm.sales.deal.created",
        "crm.sales.lead.status_changed",
        "crm.sales.lead.converted",
    ]


async def test_merge_keeps_non_empty_account_fields(deps: SalesDeps) -> None:
    rep = _rep()
    existing = await accounts.create_account(
        CreateRecord({"name": "Existing BV", "industry": ""}), rep, deps
    )
    keep = await accounts.create_account(
        CreateRecord({"name": "Kept BV", "industry": "Retail"}), rep, deps
    )
    first = await _lead(deps, rep, industry="Banking", email="one@example.com")
    second = await _lead(deps, rep, industry="Banking", email="two@example.com")

    merged = await conversion.convert_lead(ConvertLead(first, existing.row.id), rep, deps)
    await conversion.convert_lead(ConvertLead(second, keep.row.id), rep, deps)

    assert not merged.account_created and merged.account_id == existing.row.id
    assert (await accounts.get_account(existing.row.id, rep, deps)).row.industry == "Banking"
    assert (await accounts.get_account(keep.row.id, rep, deps)).row.industry == "Retail"
    assert (await accounts.get_account(keep.row.id, rep, deps)).row.name == "Kept BV"


async def test_converting_twice_is_refused_and_the_lead_is_read_only(deps: SalesDeps) -> None:
    rep = _rep()
    lead_id = await _lead(deps, rep)
    await conversion.convert_lead(ConvertLead(lead_id), rep, deps)
    with pytest.raises(FailedPrecondition):
        await conversion.convert_lead(ConvertLead(lead_id), rep, deps)
    with pytest.raises(FailedPrecondition):
        await leads.update_lead(UpdateLead(lead_id, {"title": "x"}), rep, deps)
    assert len(await _rows(deps, AccountRow, rep.tenant_id)) == 1


async def test_a_failure_mid_way_leaves_nothing_half_made(
    deps: SalesDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The account and contact are flushed before the deal step; the deal step
    fails; neither row survives and the lead is untouched."""
    rep = _rep()
    lead_id = await _lead(deps, rep)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected failure after account and contact were written")

    monkeypatch.setattr(deals, "stage_new_deal", broken)
    with pytest.raises(RuntimeError, match="injected"):
        await conversion.convert_lead(ConvertLead(lead_id, create_deal=True), rep, deps)

    assert await _rows(deps, AccountRow, rep.tenant_id) == []
    assert await _rows(deps, ContactRow, rep.tenant_id) == []
    lead = (await _rows(deps, LeadRow, rep.tenant_id))[0]
    assert (lead.status, lead.converted_account_id) == ("new", None)
    assert await _subjects(deps, rep.tenant_id) == ["crm.sales.lead.created"]


async def test_a_bad_pipeline_rolls_everything_back(deps: SalesDeps) -> None:
    rep = _rep()
    lead_id = await _lead(deps, rep)
    cmd = ConvertLead(lead_id, create_deal=True, pipeline_id=uuid.uuid4())
    with pytest.raises(InvalidArgument) as caught:
        await conversion.convert_lead(cmd, rep, deps)
    assert [v.field for v in caught.value.violations] == ["pipeline_id"]
    assert await _rows(deps, AccountRow, rep.tenant_id) == []
    assert (await leads.get_lead(lead_id, rep, deps)).row.status == "new"


async def test_permissions_and_visibility(deps: SalesDeps) -> None:
    rep = _rep()
    lead_id = await _lead(deps, rep)
    peer = _ctx(rep.tenant_id, str(uuid.uuid4()))
    with pytest.raises(NotFound):
        await conversion.convert_lead(ConvertLead(lead_id), peer, deps)
    no_deals = _ctx(rep.tenant_id, rep.user_id, modules=("leads", "accounts", "contacts"))
    with pytest.raises(PermissionDenied):
        await conversion.convert_lead(ConvertLead(lead_id, create_deal=True), no_deals, deps)
    other_tenant = _ctx(str(uuid.uuid4()), rep.user_id)
    with pytest.raises(NotFound):
        await conversion.convert_lead(ConvertLead(lead_id), other_tenant, deps)
    assert (await leads.get_lead(lead_id, rep, deps)).row.status == "new"


async def test_hidden_lead_fields_are_not_copied(deps: SalesDeps) -> None:
    rep = _rep()
    lead_id = await _lead(deps, rep, phone="+31 20 555 0100")
    hiding = _ctx(rep.tenant_id, rep.user_id, fields={"leads": {"phone": "hidden"}})
    done = await conversion.convert_lead(ConvertLead(lead_id), hiding, deps)
    contact = (await accounts.get_contact(done.contact_id, rep, deps)).row
    assert contact.phone == "" and contact.email == "ada@example.com"


async def test_the_leads_activities_move_to_the_contact(deps: SalesDeps) -> None:
    rep = _rep()
    lead_id = await _lead(deps, rep)
    other_lead = await _lead(deps, rep, email="other@example.com")
    values = {"type": "task", "subject": "Call back", "related_type": "lead"}
    moved = await activities.create_activity(
        CreateRecord({**values, "related_id": lead_id}), rep, deps
    )
    stays = await activities.create_activity(
        CreateRecord({**values, "related_id": other_lead}), rep, deps
    )
    done = await conversion.convert_lead(ConvertLead(lead_id), rep, deps)
    after = (await activities.get_activity(moved.row.id, rep, deps)).row
    assert (after.related_type, after.related_id) == ("contact", done.contact_id)
    other = (await activities.get_activity(stays.row.id, rep, deps)).row
    assert (other.related_type, other.related_id) == ("lead", other_lead)
