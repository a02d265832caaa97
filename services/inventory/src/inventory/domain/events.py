"""Subjects of the events inventory publishes (payloads in proto/crm/inventory/v1/events.proto)."""

PRODUCT_CREATED = "crm.inventory.product.created"
PRODUCT_UPDATED = "crm.inventory.product.updated"
