"""The demo tenant ``make run`` seeds through the public API, exactly as an operator would."""

from __future__ import annotations

from enum import Enum

import httpx

from crm_devstack.dev_secrets import DevSecrets

DEMO_TENANT_SLUG = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.example"


class SeedOutcome(Enum):
    SEEDED = "demo tenant seeded"
    ALREADY_SEEDED = "demo tenant already seeded"
    FAILED = "demo tenant could not be seeded"


def demo_tenant_request(dev_secrets: DevSecrets) -> dict[str, str]:
    return {
        "name": "Demo Inc.",
        "slug": DEMO_TENANT_SLUG,
        "admin_email": DEMO_ADMIN_EMAIL,
        "admin_password": dev_secrets.demo_password,
        "timezone": "Europe/Amsterdam",
        "currency": "EUR",
    }


def seed_demo_tenant(
    gateway_url: str, dev_secrets: DevSecrets, client: httpx.Client | None = None
) -> tuple[SeedOutcome, str]:
    """POST the demo tenant once: 201 = created, 409 = it exists from an earlier run.

    Returns the outcome and a line for the console; never raises, because a failed seed
    should not take a running stack down with it."""
    http = client or httpx.Client()
    try:
        response = http.post(
            f"{gateway_url}/api/v1/tenants",
            headers={"X-Platform-Token": dev_secrets.platform_token},
            json=demo_tenant_request(dev_secrets),
            timeout=30.0,
        )
    except httpx.HTTPError as error:
        return SeedOutcome.FAILED, f"{SeedOutcome.FAILED.value}: {error!r}"
    finally:
        if client is None:
            http.close()
    if response.status_code == 201:
        return SeedOutcome.SEEDED, SeedOutcome.SEEDED.value
    if response.status_code == 409:
        return SeedOutcome.ALREADY_SEEDED, SeedOutcome.ALREADY_SEEDED.value
    return (
        SeedOutcome.FAILED,
        f"{SeedOutcome.FAILED.value}: HTTP {response.status_code} {response.text[:500]}",
    )
