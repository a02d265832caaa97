"""Support: cases, SLA on business hours, service contracts, field service, knowledge base."""
