"""Signed tokens of the public links in marketing e-mail (unsubscribe, open
pixel, click): ``<kind>.<tenant>.<send>.<mac>`` with an HMAC-SHA256 over the
kind, the ids and, for a click, the target URL. No login needed: the token
is the credential, and it names one e-mail to one recipient."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from dataclasses import dataclass

KINDS = ("u", "o", "c")  # unsubscribe, open, click
MAX_TOKEN = 200


class BadToken(ValueError):
    pass


@dataclass(frozen=True)
class LinkToken:
    kind: str
    tenant_id: uuid.UUID
    send_id: uuid.UUID


def _b64(value: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(value.bytes).decode().rstrip("=")


def _unb64(text: str) -> uuid.UUID:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return uuid.UUID(bytes=raw)
    except (ValueError, TypeError) as exc:
        raise BadToken("malformed id") from exc


def _mac(secret: str, body: str, url: str) -> str:
    message = f"{body}\n{url}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


def sign(secret: str, kind: str, tenant_id: uuid.UUID, send_id: uuid.UUID, url: str = "") -> str:
    if kind not in KINDS:
        raise ValueError(kind)
    body = f"{kind}.{_b64(tenant_id)}.{_b64(send_id)}"
    return f"{body}.{_mac(secret, body, url)}"


def verify(secret: str, token: str, kind: str, url: str = "") -> LinkToken:
    if not token or len(token) > MAX_TOKEN:
        raise BadToken("missing or too long")
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != kind:
        raise BadToken("malformed")
    body = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _mac(secret, body, url)):
        raise BadToken("bad signature")
    return LinkToken(kind, _unb64(parts[1]), _unb64(parts[2]))
