"""The platform operator's credential (``X-Platform-Token``), for tenant creation."""

from __future__ import annotations

import hmac

from pydantic import SecretStr

from crm_common.auth import Principal

PLATFORM = Principal(kind="platform")


def platform_principal(presented: str, expected: SecretStr) -> Principal | None:
    """The platform principal when ``presented`` matches, compared in constant time."""
    secret = expected.get_secret_value()
    if presented and hmac.compare_digest(presented.encode(), secret.encode()):
        return PLATFORM
    return None
