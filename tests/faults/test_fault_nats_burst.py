"""NATS killed (SIGKILL) in the middle of a burst of writes and restarted a few
seconds later on the same store: writes are accepted throughout (the outbox holds
the events) and the services stay ready (the first run found them reporting
NOT_SERVING, which in Kubernetes empties every Service: readiness no longer
checks NATS), every accepted write's event reaches the stream exactly once (the
relay re-publishes with Nats-Msg-Id = event id, JetStream drops the copies), and
the consumer side effect happens once per event (one invoice per won deal)."""

from __future__ import annotations

import time

from tests.faults.deals import open_desk
from tests.faults.probes import event_counts, wait_for
from tests.faults.stack import FaultStack
from tests.integration.api import Api

WRITES = 100
KILL_AFTER = 30  # writes accepted before NATS dies
RESTART_AFTER = 65  # ... and when it comes back (at least DOWN_SECONDS later)
DOWN_SECONDS = 6.0  # longer than the services' 5 s readiness refresh
DEALS = 30  # every third write wins a deal; the others create leads
DELIVERY_SECONDS = 60.0


def test_nats_killed_during_a_burst(fault_api: Api, fault_stack: FaultStack) -> None:
    admin = fault_api.create_tenant().admin
    desk = open_desk(fault_api, admin)
    deals = [desk.create_deal() for _ in range(DEALS)]
    nats = fault_stack.infra.nats
    leads: list[str] = []
    won: list[str] = []
    killed_at = 0.0

    for index in range(WRITES):
        if index == KILL_AFTER:
            nats.kill()
            killed_at = time.monotonic()
        if index == RESTART_AFTER:
            time.sleep(max(0.0, killed_at + DOWN_SECONDS - time.monotonic()))
            # Still ready: an outage of NATS must not take the services out of rotation.
            ready = fault_api.http.get("/readyz")
            assert ready.status_code == 200, ready.text
            fault_stack.infra.restart_nats()
        if index % 3 == 0 and len(won) < DEALS:
            deal = deals[len(won)]
            response = desk.win(deal)
            assert response.status_code == 200, (index, response.text)
            won.append(deal)
        else:
            response = fault_api.request("POST", "/api/v1/leads", admin,
                                         json={"last_name": f"Burst {index}"})  # fmt: skip
            assert response.status_code == 201, (index, response.text)
            leads.append(response.json()["id"])
    assert len(leads) + len(won) == WRITES and len(won) == DEALS

    url = nats.url

    def all_published() -> bool:
        created = event_counts(url, "crm.sales.lead.created")
        return all(created[lead] for lead in leads)

    wait_for(all_published, timeout=DELIVERY_SECONDS, what="every lead.created in the stream")
    created = event_counts(url, "crm.sales.lead.created")
    assert {created[lead] for lead in leads} == {1}, "a lead's event is in the stream twice"
    won_events = event_counts(url, "crm.sales.deal.won")
    assert [won_events[deal] for deal in won] == [1] * DEALS, won_events

    wait_for(
        lambda: set(desk.invoices_per_deal()) >= set(won),
        timeout=DELIVERY_SECONDS,
        what="an invoice drafted for every won deal",
    )
    time.sleep(1.0)  # a late duplicate would show up here: give it the chance
    drafts = desk.invoices_per_deal()
    assert {drafts[deal] for deal in won} == {1}, drafts
