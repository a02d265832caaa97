"""Run the real supervisor over the fake service and gateway: ``run_fake_stack.py ROOT``.

Ports come from FAKE_GRPC_PORT / FAKE_HTTP_PORT so that a real `make run` on this
machine is never disturbed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from crm_devstack.services import ServiceSpec
from crm_devstack.supervisor import run_stack

HERE = Path(__file__).parent


def main() -> None:
    specs = [
        ServiceSpec(
            name="identity",
            command=(sys.executable, str(HERE / "fake_grpc_service.py")),
            grpc_port=int(os.environ["FAKE_GRPC_PORT"]),
        ),
        ServiceSpec(
            name="gateway",
            command=(sys.executable, str(HERE / "fake_gateway.py")),
            http_port=int(os.environ["FAKE_HTTP_PORT"]),
        ),
    ]
    sys.exit(run_stack(Path(sys.argv[1]), specs))


if __name__ == "__main__":
    main()
