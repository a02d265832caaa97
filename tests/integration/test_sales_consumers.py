"""Sales reacting to other services' events over real JetStream: marketing's
qualified-lead event moves a new lead to mql (and a redelivery changes nothing)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from crm.marketing.v1 import events_pb2 as marketing
from crm_common.events.envelope import NewEvent, build_envelope
from tests.integration.access_org import Org, build_org
from tests.integration.api import Api
from tests.integration.conftest import Stack
from tests.integration.jetstream import publish_event


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def test_a_qualified_lead_becomes_mql(org: Org, stack: Stack) -> None:
    lead = org.api.http.post(
        "/api/v1/leads", json={"last_name": "Shelley"}, headers=org.headers("rep")
    ).json()
    payload = marketing.LeadQualified(lead_id=lead["id"], score=82, threshold=70)
    event = NewEvent("crm.marketing.lead.qualified", org.tenant.id, lead["id"], payload)
    envelope = build_envelope(event, source="marketing")
    for _ in range(2):  # twice: JetStream drops the duplicate (and the inbox would)
        asyncio.run(publish_event(stack.infra.nats_url, envelope))

    deadline = time.monotonic() + 15
    while True:
        now = org.api.http.get(f"/api/v1/leads/{lead['id']}", headers=org.headers("rep")).json()
        if now["status"] == "mql" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert now["status"] == "mql"
    assert [h["to_status"] for h in now["status_history"]] == ["new", "mql"]
    assert now["score"] == 82
