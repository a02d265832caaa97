"""PostgreSQL restarted under load (fast shutdown: every session is cut, as in a
failover): requests fail fast with problem+json instead of hanging, the services
recover on their own when it is back, and no write that was answered 201 is lost.
The failures read "503, retry": the first run answered 500 "internal error" to
every request of the outage (see crm_common.grpc.outages)."""

from __future__ import annotations

import time
from collections import Counter

from tests.faults.load import Load
from tests.faults.probes import REQUEST_TIMEOUT_SECONDS
from tests.faults.stack import FaultStack
from tests.integration.api import Api, Session

DOWN_SECONDS = 3.0
WARM_WRITES = 20  # accepted before the fault
RECOVERED_WRITES = 20  # accepted after PostgreSQL is back
PAGE_LIMIT = 100
MAX_SHUTDOWN_500S = 2


def _lead_ids(api: Api, session: Session, name: str) -> set[str]:
    """Every lead whose name matches, following the cursor (bounded)."""
    ids: set[str] = set()
    params: dict[str, str | int] = {"q": name, "limit": PAGE_LIMIT}
    for _ in range(50):
        page = api.request("GET", "/api/v1/leads", session, params=params)
        assert page.status_code == 200, page.text
        ids |= {lead["id"] for lead in page.json()["items"]}
        cursor = page.json()["next_cursor"]
        if not cursor:
            return ids
        params["cursor"] = cursor
    raise AssertionError("more pages than expected")


def test_postgres_restart_under_load(fault_api: Api, fault_stack: FaultStack) -> None:
    admin = fault_api.create_tenant().admin
    load = Load(fault_stack.gateway_url, admin.headers)
    infra = fault_stack.infra

    def fault(load: Load) -> None:
        load.wait_until(lambda ld: len(ld.accepted()) >= WARM_WRITES, 30, "warm-up writes")
        infra.stop_postgres()
        during = load.count()
        load.wait_until(lambda ld: ld.count() >= during + 5, 30, "requests during the outage")
        time.sleep(DOWN_SECONDS)
        infra.start_postgres()
        after = len(load.accepted())
        load.wait_until(
            lambda ld: len(ld.accepted()) >= after + RECOVERED_WRITES, 60, "writes after restart"
        )

    load.run(fault)

    failures = load.failures()
    hung = [o for o in failures if o.status == 0]
    assert not hung, f"requests without an answer within {REQUEST_TIMEOUT_SECONDS}s: {hung[:3]}"
    assert {o.kind for o in failures} == {"write", "read"}, "the outage went unnoticed"
    assert all(o.problem for o in failures), failures[:3]
    statuses = Counter(o.status for o in failures)
    # "Unavailable, retry" (services map lost connections to UNAVAILABLE); only a
    # request caught by the shutdown itself may see a driver error (500).
    assert set(statuses) <= {500, 503, 504} and statuses[503], statuses
    assert statuses[500] <= MAX_SHUTDOWN_500S, statuses

    accepted = set(load.accepted())
    assert len(accepted) >= WARM_WRITES + RECOVERED_WRITES
    stored = _lead_ids(fault_api, admin, f"Load-{load.tag}")
    lost = accepted - stored
    assert not lost, f"{len(lost)} of {len(accepted)} accepted writes are gone: {sorted(lost)[:5]}"
