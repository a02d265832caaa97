"""A service killed (SIGKILL, as a crash or an OOM kill): the gateway answers its
routes with 503 problem+json within the upstream deadline instead of hanging,
/readyz turns unready and names it, the other services' routes keep working,
and once the service is back on its port the gateway recovers on its own."""

from __future__ import annotations

from tests.faults.probes import REQUEST_TIMEOUT_SECONDS, assert_problem, wait_for
from tests.faults.stack import FaultStack
from tests.integration.api import Api

RECOVERY_SECONDS = 30.0


def test_sales_killed_then_restarted(fault_api: Api, fault_stack: FaultStack) -> None:
    tenant = fault_api.create_tenant()
    admin = tenant.admin
    http = fault_api.http
    created = fault_api.request("POST", "/api/v1/leads", admin, json={"last_name": "Before"})
    assert created.status_code == 201, created.text

    fault_stack.kill("sales")

    timeout = REQUEST_TIMEOUT_SECONDS  # a hung socket fails the test here
    listed = fault_api.request("GET", "/api/v1/leads", admin, timeout=timeout)
    assert_problem(listed, 503)
    write = fault_api.request("POST", "/api/v1/leads", admin, json={"last_name": "During"},
                              timeout=timeout)  # fmt: skip
    assert_problem(write, 503)

    ready = http.get("/readyz", timeout=timeout)
    body = assert_problem(ready, 503)
    assert "sales" in body["detail"], body
    assert body["checks"]["sales"] != "ok" and body["checks"]["identity"] == "ok", body

    # Identity's routes do not depend on sales.
    me = fault_api.request("GET", "/api/v1/me", admin, timeout=timeout)
    assert me.status_code == 200, me.text
    assert fault_api.login(tenant.slug, admin.email).access_token

    fault_stack.start("sales")  # same port; the gateway keeps its channel

    def lists_again() -> bool:
        answer = fault_api.request("GET", "/api/v1/leads", admin, timeout=timeout)
        return answer.status_code == 200

    wait_for(lists_again, timeout=RECOVERY_SECONDS, what="sales routes answer again")
    wait_for(
        lambda: http.get("/readyz", timeout=timeout).status_code == 200,
        timeout=RECOVERY_SECONDS,
        what="/readyz ready again",
    )
    lead = fault_api.request("GET", f"/api/v1/leads/{created.json()['id']}", admin)
    assert lead.status_code == 200, lead.text
    assert fault_stack.process("gateway").is_running()
