"""Hostile inputs shared by the security tests (tests/integration/test_security_*.py),
and the small helpers they share: the gateway's own OpenAPI as the list of what to
attack, and a pool of administrators so that many calls stay under the per-user
rate limit of the test stack."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.integration.access_org import Org

# Free-text filters (q, tag, cursor, region, ...) get every one of these.
TEXT_PAYLOADS: tuple[str, ...] = (
    "' OR '1'='1",
    "'; DROP TABLE leads; --",
    '" OR ""="',
    "1) OR (1=1",
    "%",
    "_",
    "%_%",
    "\\",
    "\\%",
    "abc\x00def",
    "\x00",
    "ünïcödé 漢字 🙂 \u202e",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "x" * 5000,
)
# Typed filters (uuid, date, enum, integer, boolean) are refused by validation;
# a few payloads prove that nothing gets past it.
TYPED_PAYLOADS: tuple[str, ...] = ("' OR '1'='1", "abc\x00def", "9" * 400)
# Sort values outside every allowed set.
BAD_SORTS: tuple[str, ...] = (
    "password_hash",
    "tenant_id",
    "created_at; DROP TABLE leads",
    "-",
    "created_at,id",
    "(select 1)",
    "",
)
# Page sizes: refused (422) or capped to the documented maximum.
PAGE_LIMIT_MAX = 200
HUGE_LIMITS: tuple[str, ...] = ("1000000", "201", "0", "-1", "1e9", "99999999999999999999")


def is_free_text(schema: dict[str, Any]) -> bool:
    """A query parameter whose schema is a plain string (no format, no enum)."""
    variants = schema.get("anyOf", [schema])
    return any(
        v.get("type") == "string" and "format" not in v and "enum" not in v for v in variants
    )


@dataclass(frozen=True)
class QueryParam:
    path: str
    name: str
    schema: dict[str, Any]


# Server-Sent Events streams answer for as long as the client stays: they are
# tested by reading them (tests/integration/test_notifications.py), not fuzzed.
STREAMS = frozenset({"/api/v1/notifications/stream"})


def list_query_params(spec: dict[str, Any]) -> list[QueryParam]:
    """Every query parameter of every GET operation under /api/v1: lists, searches,
    exports, and reads with options (an account's overview, a product's price)."""
    found = []
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None or not path.startswith("/api/v1/") or path in STREAMS:
            continue
        for param in get.get("parameters", []):
            if param["in"] == "query":
                found.append(QueryParam(path, param["name"], param["schema"]))
    return found


class AdminPool:
    """Round-robin over several administrators of one tenant: each has its own
    per-minute rate limit, so a long run of calls is not answered 429."""

    def __init__(self, org: Org, size: int) -> None:
        admin_profile = next(
            p["id"]
            for p in org.admin("GET", "/api/v1/profiles", params={"limit": 200})["items"]
            if p["name"] == "Administrator"
        )
        headers = [org.tenant.admin.headers]
        for _ in range(size - 1):
            email = f"admin-{uuid.uuid4().hex[:8]}@{org.tenant.slug}.example"
            body = {"email": email, "password": "correct-horse-battery"}
            org.admin("POST", "/api/v1/users", json={**body, "profile_ids": [admin_profile]})
            headers.append(org.api.login(org.tenant.slug, email).headers)
        self._cycle: Iterator[dict[str, str]] = itertools.cycle(headers)

    def headers(self) -> dict[str, str]:
        return next(self._cycle)
