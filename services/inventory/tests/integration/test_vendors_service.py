"""Vendor handlers against real PostgreSQL: defaults, value rules, updates with
versions, filters, tenancy and permissions."""

from __future__ import annotations

import uuid

import pytest

from crm_common.access import AccessContext
from crm_common.errors import InvalidArgument, NotFound, PermissionDenied, VersionConflict
from inventory.adapters.purchasing_repository import VendorFilters
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.service_layer import vendors
from inventory.service_layer.deps import InventoryDeps


def admin(tenant: str | None = None) -> AccessContext:
    return AccessContext(
        tenant_id=tenant or str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        all_records=True,
        permissions={"*": frozenset({"*"})},
    )


async def test_create_with_defaults_and_clean_values(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    cmd = CreateRecord({"name": " Acme ", "currency": "usd", "email": "Sales@Acme.Example"})
    made = (await vendors.create_vendor(cmd, ctx, inventory_deps)).row
    got = (await vendors.get_vendor(made.id, ctx, inventory_deps)).row
    assert (got.name, got.currency, got.email) == ("Acme", "USD", "sales@acme.example")
    assert (got.payment_terms_days, got.active, got.version) == (30, True, 1)


async def test_value_rules_name_every_field(inventory_deps: InventoryDeps) -> None:
    values = {"name": "", "currency": "EURO", "email": "nope", "payment_terms_days": 400}
    with pytest.raises(InvalidArgument) as caught:
        await vendors.create_vendor(CreateRecord(values), admin(), inventory_deps)
    fields = {v.field for v in caught.value.violations}
    assert fields == {"name", "currency", "email", "payment_terms_days"}


async def test_update_versions_filters_and_tenancy(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    tag = uuid.uuid4().hex[:8]
    cmd = CreateRecord({"name": f"Bolts {tag}", "currency": "EUR"})
    made = (await vendors.create_vendor(cmd, ctx, inventory_deps)).row
    changed = await vendors.update_vendor(
        UpdateRecord(made.id, {"active": False, "payment_terms_days": 14}, 1), ctx, inventory_deps
    )
    assert (changed.row.active, changed.row.payment_terms_days, changed.row.version) == (
        False,
        14,
        2,
    )
    with pytest.raises(VersionConflict):
        await vendors.update_vendor(UpdateRecord(made.id, {"name": "x"}, 1), ctx, inventory_deps)
    page = await vendors.list_vendors(
        ctx, inventory_deps, VendorFilters(q=tag, active=False), limit=10, cursor=None
    )
    assert [v.row.id for v in page.items] == [made.id]
    with pytest.raises(NotFound):
        await vendors.get_vendor(made.id, admin(), inventory_deps)
    viewer = AccessContext(
        tenant_id=ctx.tenant_id,
        user_id=str(uuid.uuid4()),
        permissions={"vendors": frozenset({"view"})},
        fields={"vendors": {"email": "hidden"}},
    )
    seen = await vendors.get_vendor(made.id, viewer, inventory_deps)
    assert seen.hidden == {"email"}
    with pytest.raises(PermissionDenied):
        await vendors.update_vendor(UpdateRecord(made.id, {"name": "y"}), viewer, inventory_deps)
