"""``python -m crm_devstack.fake_redis --port P``: fakeredis over TCP in its own process.

Several processes (every service, the gateway, the tests) must share one Redis for
token revocation and rate limits, so an in-process fake per process is not enough.
"""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType

from fakeredis import TcpFakeServer

from crm_devstack.net import LOCALHOST


def serve_forever(host: str, port: int) -> None:
    """Serve the Redis protocol on host:port until SIGTERM/SIGINT."""
    server = TcpFakeServer((host, port), server_type="redis")
    # Client handler threads must not keep the process alive once we are told to stop.
    server.daemon_threads = True
    server.block_on_close = False
    signal.signal(signal.SIGTERM, _exit_on_signal)
    print(f"fake redis listening on {host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=LOCALHOST)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    serve_forever(args.host, args.port)
    sys.exit(0)


if __name__ == "__main__":
    main()
