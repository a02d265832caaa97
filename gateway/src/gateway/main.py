"""``crm-gateway``: settings from the environment, logs, traces, then uvicorn
(which stops gracefully on SIGTERM and SIGINT)."""

from __future__ import annotations

import uvicorn

from crm_common.logging import configure_logging
from crm_common.telemetry import configure_tracing
from gateway.app import create_app
from gateway.config import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    settings.check_secrets()
    configure_logging("gateway", settings.log_level)
    configure_tracing("gateway", settings.otlp_endpoint)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_config=None,  # keep our JSON logging
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        proxy_headers=False,  # X-Forwarded-For is ours to judge (trust_forwarded_for)
        server_header=False,
    )


if __name__ == "__main__":
    main()
