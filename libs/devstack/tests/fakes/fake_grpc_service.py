"""A stand-in service for supervisor tests: gRPC health on CRM_GRPC_PORT, a grandchild
process (to prove the whole group is stopped), and optional failure modes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc


def main() -> None:
    if os.environ.get("FAKE_FAIL_AT_START"):
        print("boom: cannot start", flush=True)
        sys.exit(3)
    missing = [
        name
        for name in ("CRM_DATABASE_URL", "CRM_NATS_URL", "CRM_INTERNAL_SECRET", "CRM_SERVICE_NAME")
        if not os.environ.get(name)
    ]
    if missing:
        print(f"missing env: {missing}", flush=True)
        sys.exit(4)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    server.add_insecure_port(f"127.0.0.1:{os.environ['CRM_GRPC_PORT']}")
    server.start()
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    print(f"serving; worker pid {worker.pid}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    exit_after = os.environ.get("FAKE_EXIT_AFTER")
    if exit_after:
        time.sleep(float(exit_after))
        print("crashing on purpose", flush=True)
        os._exit(7)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
