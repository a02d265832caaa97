"""MarketingProfileService against real PostgreSQL: only a service principal of the
tenant may read contact details, and only that tenant's rows."""

from __future__ import annotations

import uuid

import pytest

from crm_common.access import AccessContext
from crm_common.auth import Principal, PrincipalKind
from crm_common.errors import InvalidArgument, PermissionDenied
from sales.domain.commands import CreateLead
from sales.service_layer import leads, marketing_profiles
from sales.service_layer.deps import SalesDeps


def _admin(tenant: str) -> AccessContext:
    return AccessContext(
        tenant_id=tenant, user_id=str(uuid.uuid4()), all_records=True,
        permissions={"leads": frozenset({"view", "create", "edit"})},
    )  # fmt: skip


async def _lead(deps: SalesDeps, tenant: str) -> str:
    values = {"last_name": "Profiled", "email": "p@example.com", "company": "ACME"}
    lead, _ = await leads.create_lead(CreateLead(values), _admin(tenant), deps)
    return str(lead.row.id)


@pytest.mark.parametrize(
    ("kind", "with_tenant"),
    [("user", True), ("api_key", True), ("platform", True), ("service", False)],
)
async def test_only_a_service_principal_of_a_tenant_may_ask(
    deps: SalesDeps, kind: PrincipalKind, with_tenant: bool
) -> None:
    tenant = str(uuid.uuid4())
    lead_id = await _lead(deps, tenant)
    asking = Principal(kind=kind, tenant_id=tenant if with_tenant else "", user_id="u")
    with pytest.raises(PermissionDenied):
        await marketing_profiles.get_profiles(asking, deps, [lead_id], "lead")


async def test_a_service_reads_its_tenants_profiles_only(deps: SalesDeps) -> None:
    tenant, other = str(uuid.uuid4()), str(uuid.uuid4())
    mine, theirs = await _lead(deps, tenant), await _lead(deps, other)
    service = Principal(kind="service", tenant_id=tenant)
    found = await marketing_profiles.get_profiles(service, deps, [mine, theirs], "lead")
    assert [p.id for p in found.found] == [mine]
    assert found.found[0].email == "p@example.com" and found.found[0].company == "ACME"
    assert found.missing == [theirs]
    with pytest.raises(InvalidArgument):
        await marketing_profiles.get_profiles(service, deps, ["not-a-uuid"], "lead")
