"""The principal: who is calling, for which tenant, with which rights.

The gateway builds it from a verified token and passes it to services in gRPC
metadata, signed with the internal secret (HMAC-SHA256) so that only the gateway
and peer services can assert one. Services read it from a context variable set
by the server interceptor and decide access themselves (``crm_common.access``).
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Literal

from crm_common.errors import Unauthenticated

PRINCIPAL_HEADER = "x-crm-principal"
PRINCIPAL_SIGNATURE_HEADER = "x-crm-principal-sig"

PrincipalKind = Literal["user", "api_key", "platform", "service", "anonymous"]


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    tenant_id: str = ""
    user_id: str = ""
    session_id: str = ""
    roles: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()  # "module:action" or "*"
    # Room for access control (roles hierarchy, profiles, groups): services
    # resolve these against identity; the gateway only carries them.
    role_id: str = ""
    profile_ids: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Principal:
        data = json.loads(raw)
        for key in ("roles", "permissions", "profile_ids", "group_ids"):
            data[key] = tuple(data.get(key, ()))
        return cls(**data)


ANONYMOUS = Principal(kind="anonymous")

_current: contextvars.ContextVar[Principal] = contextvars.ContextVar(
    "crm_principal", default=ANONYMOUS
)


def current_principal() -> Principal:
    return _current.get()


def set_current_principal(principal: Principal) -> contextvars.Token[Principal]:
    return _current.set(principal)


def reset_current_principal(token: contextvars.Token[Principal]) -> None:
    _current.reset(token)


@contextmanager
def acting_as_service(tenant_id: object) -> Iterator[None]:
    """Calls made inside carry a service principal of ``tenant_id``: background work
    (consumers, schedulers) has no caller, and peers answer it for that tenant only."""
    token = set_current_principal(Principal(kind="service", tenant_id=str(tenant_id)))
    try:
        yield
    finally:
        reset_current_principal(token)


def require_authenticated() -> Principal:
    principal = current_principal()
    if not principal.is_authenticated:
        raise Unauthenticated("authentication required")
    return principal


def _signature(payload: str, secret: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def encode_principal(principal: Principal, secret: str) -> list[tuple[str, str]]:
    """gRPC metadata pairs carrying ``principal``."""
    payload = base64.urlsafe_b64encode(principal.to_json().encode()).decode()
    return [
        (PRINCIPAL_HEADER, payload),
        (PRINCIPAL_SIGNATURE_HEADER, _signature(payload, secret)),
    ]


def decode_principal(metadata: dict[str, str], secret: str) -> Principal:
    """The principal in ``metadata``; anonymous when absent; error when forged."""
    payload = metadata.get(PRINCIPAL_HEADER)
    if not payload:
        return ANONYMOUS
    signature = metadata.get(PRINCIPAL_SIGNATURE_HEADER, "")
    if not hmac.compare_digest(signature, _signature(payload, secret)):
        raise Unauthenticated("principal signature invalid")
    try:
        return Principal.from_json(base64.urlsafe_b64decode(payload.encode()).decode())
    except (ValueError, TypeError) as exc:
        raise Unauthenticated("principal malformed") from exc
