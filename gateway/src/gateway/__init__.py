"""The CRM API gateway: REST/JSON under /api/v1 in front of the gRPC services."""
