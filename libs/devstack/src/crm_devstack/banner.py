"""What ``make run`` prints once everything is up: where to go and how to log in."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence

from crm_devstack.demo_tenant import DEMO_ADMIN_EMAIL, DEMO_TENANT_SLUG
from crm_devstack.dev_secrets import DevSecrets
from crm_devstack.services import ServiceSpec


def render_banner(
    gateway: ServiceSpec, running: Sequence[ServiceSpec], dev_secrets: DevSecrets
) -> str:
    base_url = gateway.base_url or ""
    lines = [
        "",
        "=" * 72,
        "CRM platform is running (Ctrl-C stops everything)",
        "",
        f"  gateway        {base_url}",
        f"  API docs       {base_url}/docs",
        f"  OpenAPI        {base_url}/openapi.json",
        "  metrics",
        *(f"    {spec.name:<12} {spec.metrics_url}" for spec in running if spec.metrics_url),
        "",
        f"  demo login     tenant {DEMO_TENANT_SLUG!r}, {DEMO_ADMIN_EMAIL}, "
        f"password {dev_secrets.demo_password}",
        f"  platform token {dev_secrets.platform_token}   (header X-Platform-Token)",
        "",
        "  get an access token:",
        f"    {token_curl(base_url, dev_secrets)}",
        "",
        "  logs in .data/logs/, secrets in .data/secrets.json",
        "=" * 72,
        "",
    ]
    return "\n".join(lines)


def token_curl(base_url: str, dev_secrets: DevSecrets) -> str:
    body = json.dumps(
        {
            "tenant": DEMO_TENANT_SLUG,
            "email": DEMO_ADMIN_EMAIL,
            "password": dev_secrets.demo_password,
        }
    )
    return shlex.join(
        [
            "curl", "-s", "-X", "POST", f"{base_url}/api/v1/auth/token",
            "-H", "Content-Type: application/json",
            "-d", body,
        ]
    )  # fmt: skip
