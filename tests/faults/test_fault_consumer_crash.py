"""A consumer killed in the middle of handling an event: the event is redelivered
after the restart and its side effect happens exactly once.

"The middle" is made exact with the consumer's fault-injection pause (off unless
CRM_FAULT_CONSUMER_PAUSE_AT is set): inventory is started with it, a deal is won,
and inventory is SIGKILLed while its ``inventory-billing-sales`` consumer waits
- before_commit: the invoice draft is written but not committed (rolled back by
  the crash); the redelivery must draft it;
- before_ack: the draft and the inbox row are committed, the ack never left; the
  redelivery must be recognised as a duplicate and draft nothing.
"""

from __future__ import annotations

import pytest

from tests.faults.deals import open_desk
from tests.faults.probes import consumer_settled, metric, wait_for
from tests.faults.stack import FaultStack
from tests.integration.api import Api

CONSUMER = "inventory-billing-sales"
PAUSE_SECONDS = "3"  # below the stack's 4 s ack wait, which also bounds a handler
WAIT_SECONDS = 30.0


def _pauses(fault_stack: FaultStack, stage: str) -> int:
    """How often inventory's output says the consumer paused at ``stage``."""
    marker = f"consumer {CONSUMER} paused {stage}"
    return sum(marker in line for line in fault_stack.process("inventory").last_lines(200))


@pytest.mark.parametrize("stage", ["before_commit", "before_ack"])
def test_consumer_killed_mid_handling(fault_api: Api, fault_stack: FaultStack, stage: str) -> None:
    admin = fault_api.create_tenant().admin
    desk = open_desk(fault_api, admin)
    deal = desk.create_deal()
    fault_stack.kill("inventory")
    hook = {"CRM_FAULT_CONSUMER_PAUSE_AT": stage, "CRM_FAULT_CONSUMER_PAUSE_SECONDS": PAUSE_SECONDS}
    fault_stack.start("inventory", hook)

    before = _pauses(fault_stack, stage)  # the output of earlier runs is kept
    assert desk.win(deal).status_code == 200
    wait_for(lambda: _pauses(fault_stack, stage) > before, timeout=WAIT_SECONDS,
             what=f"the consumer to pause {stage}")  # fmt: skip
    fault_stack.kill("inventory")

    fault_stack.start("inventory")  # without the hook
    metrics = fault_stack.metrics_url("inventory")
    # before_commit: nothing was kept, the redelivery is handled; before_ack: the
    # work was committed, the redelivery is a duplicate.
    outcome = "handled" if stage == "before_commit" else "duplicate"

    def consumed() -> float:
        return metric(metrics, "crm_events_consumed_total", consumer=CONSUMER,
                      subject="crm.sales.deal.won", outcome=outcome)  # fmt: skip

    wait_for(consumed, timeout=WAIT_SECONDS, what=f"the redelivery ({outcome})")
    nats_url = fault_stack.infra.nats.url
    wait_for(lambda: consumer_settled(nats_url, CONSUMER), timeout=WAIT_SECONDS,
             what="the consumer to have nothing left to (re)deliver")  # fmt: skip
    assert metric(metrics, "crm_consumer_redeliveries_total", consumer=CONSUMER) >= 1
    assert consumed() == 1
    assert desk.invoices_per_deal()[deal] == 1
