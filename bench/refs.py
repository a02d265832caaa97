"""The two references, on the same machine in the same run:

- a bare FastAPI hello-world under uvicorn: the ceiling of the HTTP stack (and of
  this load generator) with no work behind it;
- GetLead straight to sales over gRPC (the gateway's own client channel and signed
  principal metadata) against GET /leads/{id} through the gateway: the hop's cost.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import jwt

from bench.http1 import Http1Client
from bench.load import Call, Picker, closed_loop
from bench.procs import ProcessMonitor
from bench.seed import Seeded
from bench.stack import REPO, BenchStack
from bench.stats import latency_summary
from crm.sales.v1 import sales_pb2
from crm.sales.v1.sales_pb2_grpc import SalesServiceStub
from crm_common.auth import set_current_principal
from crm_common.grpc.client import create_channel
from crm_common.tokens import principal_from_claims
from crm_devstack.net import LOCALHOST, free_port
from crm_devstack.testing import ManagedProcess

SALES_SERVICE = "crm.sales.v1.SalesService"
Ladder = Callable[[Picker, list[float]], Awaitable[list[Any]]]
Phase = Callable[[Picker, float, float], Awaitable[dict[str, Any]]]


async def hello_world(
    stack: BenchStack, pool: int, ladder: Ladder, rates: list[float], monitor: ProcessMonitor
) -> dict[str, object]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.hello_app:app",
               "--host", LOCALHOST, "--port", str(port), "--log-level", "warning"]  # fmt: skip
    server = ManagedProcess(
        "hello", command, log_path=stack.run_dir / "logs" / "hello.log", echo=False, cwd=REPO
    )
    url = f"http://{LOCALHOST}:{port}"
    with server:
        server.wait_http_ready(f"{url}/hello", timeout=30)
        monitor.watch("hello-world", server.pid)  # its CPU per request: the floor
        http = Http1Client(url, pool=pool)

        async def hello() -> bool:
            return (await http.get("/hello")).status_code == 200

        try:
            await closed_loop(hello, count=30)
            unloaded = await closed_loop(hello, count=300)
            steps = await ladder(lambda: ("hello", hello), rates)
        finally:
            await http.aclose()
    return {"unloaded": latency_summary(unloaded), "steps": steps}


async def gateway_hop(
    stack: BenchStack, http: Http1Client, seeded: Seeded, phase: Phase, *, rate: float,
    duration: float,
) -> dict[str, object]:  # fmt: skip
    """The same read, both ways: unloaded (one at a time) and at ``rate`` requests/s
    (``phase`` runs it open-loop and bills each process its CPU)."""
    claims = jwt.decode(seeded.token, options={"verify_signature": False})
    set_current_principal(principal_from_claims(claims))  # what the gateway would sign
    channel = create_channel(
        stack.grpc_addr("sales"), service=SALES_SERVICE, internal_secret=stack.internal_secret
    )
    stub = SalesServiceStub(channel)  # type: ignore[no-untyped-call]
    rng = random.Random(5)

    async def direct() -> bool:
        await stub.GetLead(sales_pb2.GetLeadRequest(id=rng.choice(seeded.lead_ids)))
        return True

    async def through_gateway() -> bool:
        path = f"/api/v1/leads/{rng.choice(seeded.lead_ids)}"
        return (await http.get(path, headers=seeded.headers)).status_code == 200

    try:
        result: dict[str, object] = {}
        for name, call in (("grpc_direct", direct), ("gateway", through_gateway)):
            await closed_loop(call, count=30)  # warm both paths the same way
            unloaded = latency_summary(await closed_loop(call, count=300))
            loaded = await phase(_always(call), rate, duration)
            result[name] = {"unloaded": unloaded, "loaded": loaded}
        return result
    finally:
        await channel.close()


def _always(call: Call) -> Picker:
    return lambda: ("get_lead", call)
