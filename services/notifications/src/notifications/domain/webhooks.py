"""Webhook rules, no I/O: endpoint validation, event-type filters (NATS-style
wildcards), the signature, retry backoff and when an endpoint is disabled.

See docs/webhooks.md for what a receiver sees and how it verifies a delivery.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from crm_common.errors import FieldViolation, InvalidArgument

MODULE = "webhooks"  # identity grants it only through "*" (the Administrator)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
STATUSES = (PENDING, DELIVERED, FAILED)

# Platform events a webhook may receive: every service's but notifications' own.
SOURCE_SUBJECTS = ["crm.identity.>", "crm.sales.>", "crm.inventory.>", "crm.support.>",
                   "crm.marketing.>"]  # fmt: skip

MAX_URL_LENGTH = 2048
MAX_DESCRIPTION_LENGTH = 500
MAX_EVENT_TYPES = 50
MAX_PATTERN_LENGTH = 200
SECRET_PREFIX = "whsec_"  # noqa: S105 - a marker, not a secret
SIGNATURE_VERSION = "v1"
UPDATABLE = ("url", "description", "event_types", "active")

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


# ---- endpoints ----


def validate_url(url: str, *, allow_private: bool) -> str:
    """https to a public host; http (and https) to loopback or private addresses
    only when ``allow_private`` (development, tests). Host names are checked again
    when a delivery resolves them (service_layer.webhook_dispatch)."""
    url = url.strip()
    if not url:
        raise InvalidArgument.for_field("url", "is required")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidArgument.for_field("url", f"at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # .port raises on a bad port
    except ValueError as exc:
        raise InvalidArgument.for_field("url", "is not a valid URL") from exc
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidArgument.for_field("url", "must be an https:// URL with a host")
    if parts.username or parts.password:
        raise InvalidArgument.for_field("url", "must not carry credentials")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InvalidArgument.for_field("url", "must not contain spaces or control characters")
    private = is_private_host(host)
    if private and not allow_private:
        raise InvalidArgument.for_field("url", "must not point at a private or loopback address")
    if parts.scheme == "http" and not (private and allow_private):
        raise InvalidArgument.for_field("url", "must use https")
    return url


def is_private_host(host: str) -> bool:
    """An IP literal that is not a public unicast address, or a localhost name."""
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a DNS name: resolved (and checked) at delivery
    return is_private_address(address)


def is_private_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not address.is_global or address.is_multicast


def validate_description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidArgument.for_field(
            "description", f"at most {MAX_DESCRIPTION_LENGTH} characters"
        )
    return description


def validate_event_types(patterns: Sequence[str]) -> list[str]:
    """One or more NATS-style subject patterns; each names the field at fault."""
    if not patterns:
        raise InvalidArgument.for_field("event_types", "name at least one event type")
    if len(patterns) > MAX_EVENT_TYPES:
        raise InvalidArgument.for_field("event_types", f"at most {MAX_EVENT_TYPES}")
    violations = [
        FieldViolation(f"event_types[{i}]", problem)
        for i, pattern in enumerate(patterns)
        if (problem := pattern_problem(pattern))
    ]
    if violations:
        raise InvalidArgument("event_types: invalid pattern", violations)
    return list(dict.fromkeys(patterns))  # in order, without repeats


def pattern_problem(pattern: str) -> str | None:
    if not pattern or len(pattern) > MAX_PATTERN_LENGTH:
        return f"1 to {MAX_PATTERN_LENGTH} characters"
    tokens = pattern.split(".")
    for i, part in enumerate(tokens):
        if part == ">" and i != len(tokens) - 1:
            return '">" may only be the last token'
        if part not in ("*", ">") and not _TOKEN.match(part):
            return 'tokens are letters, digits, "_" or "-", separated by "."; wildcards "*" and ">"'
    if tokens[0] not in ("crm", "*", ">"):
        return 'event types start with "crm."'
    return None


def matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: "*" is exactly one token, a final ">" one or more."""
    wanted, tokens = pattern.split("."), subject.split(".")
    for i, part in enumerate(wanted):
        if part == ">":
            return len(tokens) > i
        if i >= len(tokens) or part not in ("*", tokens[i]):
            return False
    return len(tokens) == len(wanted)


def wants(patterns: Iterable[str], subject: str) -> bool:
    return any(matches(pattern, subject) for pattern in patterns)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


# ---- signing ----


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``: the X-CRM-Signature."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def signed_headers(
    secret: str, *, delivery_id: str, event_type: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "crm-webhooks/1",
        "X-CRM-Webhook-Id": delivery_id,
        "X-CRM-Event-Type": event_type,
        "X-CRM-Timestamp": str(timestamp),
        "X-CRM-Signature": signature(secret, timestamp, body),
    }


# ---- retries and disabling ----


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 2.0
    max_seconds: float = 3600.0
    max_attempts: int = 12
    # An endpoint is disabled after this many deliveries in a row ended failed,
    disable_after_failures: int = 20
    # or when nothing reached it for this long since its failures began.
    disable_after_seconds: float = 24 * 3600.0


def backoff_seconds(attempts: int, policy: RetryPolicy, rand: random.Random | None = None) -> float:
    """Wait after the ``attempts``-th failed attempt (1-based): base * 2^(n-1),
    capped at max, then "equal jitter" (between half and all of it), so receivers
    that failed together are not retried in lock-step."""
    exponent = min(max(attempts - 1, 0), 40)
    delay = min(policy.max_seconds, policy.base_seconds * (2.0**exponent))
    return delay / 2 + (rand or random).uniform(0, delay / 2)


@dataclass(frozen=True)
class AttemptOutcome:
    status: str  # PENDING (retry later) | DELIVERED | FAILED
    next_attempt_at: datetime | None


def after_attempt(
    ok: bool, attempts: int, now: datetime, policy: RetryPolicy, rand: random.Random | None = None
) -> AttemptOutcome:
    """Where a delivery stands after attempt number ``attempts``."""
    if ok:
        return AttemptOutcome(DELIVERED, None)
    if attempts >= policy.max_attempts:
        return AttemptOutcome(FAILED, None)
    wait = backoff_seconds(attempts, policy, rand)
    return AttemptOutcome(PENDING, now + timedelta(seconds=wait))


def disable_reason(
    consecutive_failures: int, failing_since: datetime | None, now: datetime, policy: RetryPolicy
) -> str | None:
    """Why the endpoint is to be disabled now, or None."""
    if consecutive_failures >= policy.disable_after_failures:
        return f"{consecutive_failures} deliveries in a row failed"
    if failing_since is not None:
        failing = (now - failing_since).total_seconds()
        if failing >= policy.disable_after_seconds:
            return f"no delivery succeeded for {int(failing)} seconds"
    return None


def is_success(status_code: int) -> bool:
    return 200 <= status_code < 300
