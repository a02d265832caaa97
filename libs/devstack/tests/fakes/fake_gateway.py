"""A stand-in gateway for supervisor tests: /readyz and POST /api/v1/tenants."""

from __future__ import annotations

import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

seeded: set[str] = set()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._reply(200 if self.path == "/readyz" else 404, {})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/api/v1/tenants":
            self._reply(404, {})
        elif self.headers.get("X-Platform-Token") != os.environ["CRM_PLATFORM_TOKEN"]:
            self._reply(401, {})
        elif body["slug"] in seeded:
            self._reply(409, {})
        else:
            seeded.add(body["slug"])
            self._reply(201, {"slug": body["slug"]})

    def _reply(self, status: int, payload: dict[str, str]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main() -> None:
    assert os.environ["CRM_IDENTITY_ADDR"].startswith("127.0.0.1:")
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["CRM_GATEWAY_PORT"])), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("gateway listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
