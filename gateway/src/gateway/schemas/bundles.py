"""A bundle to create: a product whose type is ``bundle`` (never stock-tracked;
its stock derives from its components). Reads are ``ProductRead``."""

from __future__ import annotations

from pydantic import Field

from gateway.schemas.common import RequestBody
from gateway.schemas.products import DECIMAL, ComponentBody


class BundleCreate(RequestBody):
    sku: str = Field(description="Unique in your tenant, case-insensitively (409 if taken)")
    name: str
    description: str = ""
    unit_price: str = Field(default="0", description=DECIMAL)
    currency: str = Field(description="ISO 4217, e.g. EUR")
    tax_class: str = Field(default="standard", description="e.g. standard, reduced, zero")
    reorder_level: str = Field(default="0", description=DECIMAL)
    active: bool = True
    components: list[ComponentBody] = Field(
        description="Products of your tenant with quantities (at least one; no cycles)"
    )
