"""Prometheus metrics of the outbox relay and the event consumers.

Module-level objects in the default registry: one process runs one service, and the
``service`` / ``consumer`` labels keep series apart when tests run several in one
process. The alert rules (outbox stuck, consumer lag, dead letters) use these names.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

OUTBOX_BACKLOG = Gauge(
    "crm_outbox_backlog", "Outbox rows not yet published to JetStream.", ["service"]
)
OUTBOX_OLDEST_AGE = Gauge(
    "crm_outbox_oldest_age_seconds",
    "Age of the oldest unpublished outbox row (0 when the backlog is empty).",
    ["service"],
)
OUTBOX_PUBLISHED = Counter(
    "crm_outbox_published_total", "Outbox rows published to JetStream.", ["service"]
)
OUTBOX_PUBLISH_FAILURES = Counter(
    "crm_outbox_publish_failures_total",
    "Failed attempts to publish an outbox batch (the rows are retried).",
    ["service"],
)

EVENTS_CONSUMED = Counter(
    "crm_events_consumed_total",
    "Event deliveries processed by a consumer, by outcome "
    "(handled, duplicate, failed, dead_lettered).",
    ["consumer", "subject", "outcome"],
)
EVENT_HANDLE_SECONDS = Histogram(
    "crm_event_handle_seconds",
    "Time to process one delivery: inbox check, handler and commit.",
    ["consumer"],
)
CONSUMER_PENDING = Gauge(
    "crm_consumer_pending",
    "Messages in the stream the durable consumer has not been delivered yet (lag).",
    ["consumer"],
)
CONSUMER_REDELIVERIES = Counter(
    "crm_consumer_redeliveries_total",
    "Deliveries that were redeliveries (a previous attempt failed or timed out).",
    ["consumer"],
)
