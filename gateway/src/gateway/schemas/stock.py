"""Warehouses, stock levels, the movement ledger, adjustments, delivery notes and
assets: ``*Create / *Update / *Read / *Page``. Quantities are decimal strings
("12.5"); inventory owns the rules and names every bad field."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody
from gateway.schemas.products import NotNull

Quantity = Annotated[str, StringConstraints(max_length=40)]
MovementKind = Literal["receipt", "adjustment", "reservation", "release", "shipment"]


class WarehouseCreate(RequestBody):
    code: str = Field(description="Letters, digits and . _ -; unique per tenant, any case")
    name: str
    address: str = ""
    active: bool = True


class WarehouseUpdate(NotNull):
    code: str | SkipJsonSchema[None] = None
    name: str | SkipJsonSchema[None] = None
    address: str | SkipJsonSchema[None] = None
    active: bool | SkipJsonSchema[None] = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = Field(
        default=None, description="Expected version (or send If-Match); 409 if stale"
    )


class WarehouseRead(BaseModel):
    id: str
    tenant_id: str
    code: str
    name: str
    address: str = ""
    active: bool = False
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class WarehousePage(BaseModel):
    items: list[WarehouseRead]
    next_cursor: str | None = None


class StockLevelRead(BaseModel):
    product_id: str
    warehouse_id: str | None = Field(description="null for a bundle's level over warehouses")
    on_hand: str
    reserved: str
    available: str = Field(description="on_hand - reserved")
    derived: bool = Field(description="a bundle's level, computed from its components")
    updated_at: datetime | None = None


class StockLevelPage(BaseModel):
    items: list[StockLevelRead]
    next_cursor: str | None = None


class MovementRead(BaseModel):
    id: str
    product_id: str
    warehouse_id: str
    kind: MovementKind
    quantity_delta: str = Field(description="change of on hand")
    reserved_delta: str
    reference_type: str
    reference_id: str | None = None
    reason: str = ""
    at: datetime | None = None
    by: str | None = None


class MovementPage(BaseModel):
    items: list[MovementRead]
    next_cursor: str | None = None


class AdjustmentCreate(RequestBody):
    product_id: str
    warehouse_id: str
    quantity_delta: Quantity = Field(description="Non-zero; negative removes units")
    reason: str


class DeliveryLineIn(RequestBody):
    product_id: str
    quantity: Quantity | None = Field(default=None, description="Default: all still reserved")
    serials: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list, max_length=10000, description="One per unit; each becomes an asset"
    )


class DeliveryNoteCreate(RequestBody):
    order_id: str
    lines: list[DeliveryLineIn] | None = Field(
        default=None, max_length=500, description="Default: ship everything still reserved"
    )


class DeliveryLineRead(BaseModel):
    product_id: str
    warehouse_id: str
    quantity: str
    serials: list[str] = Field(default_factory=list)


class DeliveryNoteRead(BaseModel):
    id: str
    tenant_id: str
    order_id: str
    account_id: str | None = None
    status: str
    lines: list[DeliveryLineRead]
    shipped_at: datetime | None = None
    created_at: datetime | None = None
    created_by: str | None = None


class DeliveryNotePage(BaseModel):
    items: list[DeliveryNoteRead]
    next_cursor: str | None = None


class AssetRead(BaseModel):
    id: str
    tenant_id: str
    serial_number: str
    product_id: str
    account_id: str | None = None
    order_id: str | None = None
    delivery_note_id: str
    status: str
    delivered_at: datetime | None = None
    created_at: datetime | None = None


class AssetPage(BaseModel):
    items: list[AssetRead]
    next_cursor: str | None = None
