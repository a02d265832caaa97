"""The webhook signature: HMAC-SHA256 over "{timestamp}.{body}", hex, "v1=" prefix;
checked here with the verification recipe of docs/webhooks.md."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from notifications.domain import webhooks as rules

SECRET = "whsec_test-secret"
BODY = json.dumps({"id": "e1", "type": "crm.sales.deal.created", "data": {"name": "Ünïcode"}},
                  ensure_ascii=False).encode()  # fmt: skip


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """docs/webhooks.md, "Verifying a delivery" (as a receiver writes it)."""
    timestamp = headers["X-CRM-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    given = headers["X-CRM-Signature"].removeprefix("v1=")
    return hmac.compare_digest(expected.hexdigest(), given)


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert rules.signature(SECRET, 1700000000, BODY) == f"v1={expected}"


def test_signed_headers_verify_with_the_documented_recipe() -> None:
    now = int(time.time())
    headers = rules.signed_headers(
        SECRET, delivery_id="d1", event_type="crm.sales.deal.created", timestamp=now, body=BODY
    )
    assert headers["X-CRM-Webhook-Id"] == "d1"
    assert headers["X-CRM-Event-Type"] == "crm.sales.deal.created"
    assert headers["X-CRM-Timestamp"] == str(now)
    assert headers["Content-Type"] == "application/json"
    assert verify(SECRET, headers, BODY)


def test_a_changed_body_another_secret_or_an_old_timestamp_do_not_verify() -> None:
    now = int(time.time())
    headers = rules.signed_headers(
        SECRET, delivery_id="d", event_type="t", timestamp=now, body=BODY
    )
    assert not verify(SECRET, headers, BODY + b" ")
    assert not verify("whsec_other", headers, BODY)
    old = rules.signed_headers(
        SECRET, delivery_id="d", event_type="t", timestamp=now - 301, body=BODY
    )
    assert not verify(SECRET, old, BODY)
    # The timestamp is signed: moving it forward breaks the signature.
    moved = {**old, "X-CRM-Timestamp": str(now)}
    assert not verify(SECRET, moved, BODY)


def test_secrets_are_new_each_time_and_long() -> None:
    first, second = rules.new_secret(), rules.new_secret()
    assert first != second
    assert first.startswith("whsec_") and len(first) >= 40
