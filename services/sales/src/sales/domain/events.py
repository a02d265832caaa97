"""Subjects of the events sales publishes (payloads in proto/crm/sales/v1/events.proto)."""

LEAD_CREATED = "crm.sales.lead.created"
LEAD_UPDATED = "crm.sales.lead.updated"
LEAD_STATUS_CHANGED = "crm.sales.lead.status_changed"
LEAD_DELETED = "crm.sales.lead.deleted"
