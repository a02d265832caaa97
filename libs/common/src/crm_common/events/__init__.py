"""Events: envelope, transactional outbox and relay, idempotent consumer."""
