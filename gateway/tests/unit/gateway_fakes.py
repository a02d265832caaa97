"""Fakes for gateway unit tests: an identity stub, signing keys, gRPC errors."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import grpc
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from google.protobuf import timestamp_pb2
from grpc_health.v1 import health_pb2
from pydantic import SecretStr

from crm.common.v1 import types_pb2
from crm.identity.v1 import identity_pb2 as pb
from crm_common.auth import current_principal
from crm_common.errors import CrmError
from crm_common.grpc.errors import to_status
from crm_common.tokens import ALGORITHM, AUDIENCE, ISSUER
from gateway.config import GatewaySettings

TENANT_ID = str(uuid.uuid4())
USER_ID = str(uuid.uuid4())


class SigningKey:
    def __init__(self, kid: str = "key-1") -> None:
        self.kid = kid
        self.private = Ed25519PrivateKey.generate()

    def jwk(self) -> dict[str, Any]:
        data = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.private.public_key()))
        return {**data, "kid": self.kid, "use": "sig", "alg": ALGORITHM}

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        return jwt.encode(
            claims, self.private, algorithm=ALGORITHM, headers={"kid": self.kid, **(headers or {})}
        )


def jwks_json(*keys: SigningKey) -> str:
    return json.dumps({"keys": [k.jwk() for k in keys]})


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": USER_ID,
        "tid": TENANT_ID,
        "tsl": "acme",
        "sid": str(uuid.uuid4()),
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "roles": ["admin"],
        "perms": ["*"],
        "typ": "access",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def rpc_error(error: CrmError | grpc.StatusCode, message: str = "") -> grpc.aio.AioRpcError:
    """The error a real channel raises, with rich status details when given a CrmError."""
    if isinstance(error, grpc.StatusCode):
        return grpc.aio.AioRpcError(error, grpc.aio.Metadata(), grpc.aio.Metadata(), message)
    status = to_status(error)
    code = next(c for c in grpc.StatusCode if c.value[0] == status.code)
    trailing = grpc.aio.Metadata(("grpc-status-details-bin", status.SerializeToString()))
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), trailing, status.message)


def _now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    return stamp


def user(user_id: str = USER_ID, **fields: Any) -> pb.User:
    values = {
        "id": user_id,
        "tenant_id": TENANT_ID,
        "email": "ada@acme.example",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "active": True,
        "roles": ["admin"],
        "timezone": "Europe/Paris",
        "language": "en",
        "version": 1,
        "created_at": _now(),
        "updated_at": _now(),
        **fields,
    }
    return pb.User(**values)


def tenant() -> pb.Tenant:
    return pb.Tenant(
        id=TENANT_ID, name="Acme", slug="acme", timezone="UTC", currency="EUR", created_at=_now()
    )


class FakeIdentity:
    """Coroutine methods like IdentityServiceStub's. ``fail[name]`` makes one raise;
    ``calls`` records (method, request, principal seen through the contextvar)."""

    def __init__(self, jwks: str) -> None:
        self.jwks = jwks
        self.fail: dict[str, grpc.RpcError] = {}
        self.calls: list[tuple[str, Any, Any]] = []
        self.next_cursor = ""

    def fail_with(self, method: str, error: CrmError | grpc.StatusCode, message: str = "") -> None:
        self.fail[method] = rpc_error(error, message)

    def _record(self, name: str, request: Any) -> None:
        self.calls.append((name, request, current_principal()))
        if name in self.fail:
            raise self.fail[name]

    def last(self, name: str) -> Any:
        return next(req for method, req, _ in reversed(self.calls) if method == name)

    async def GetJwks(self, request: Any, **_: Any) -> pb.GetJwksResponse:
        self._record("GetJwks", request)
        return pb.GetJwksResponse(jwks_json=self.jwks)

    async def CreateTenant(self, request: Any, **_: Any) -> pb.CreateTenantResponse:
        self._record("CreateTenant", request)
        return pb.CreateTenantResponse(tenant=tenant(), admin_user_id=USER_ID)

    async def IssueToken(self, request: Any, **_: Any) -> pb.TokenPair:
        self._record("IssueToken", request)
        return pb.TokenPair(
            access_token="a", refresh_token="r", token_type="bearer", expires_in=900
        )

    async def RefreshToken(self, request: Any, **_: Any) -> pb.TokenPair:
        self._record("RefreshToken", request)
        return pb.TokenPair(
            access_token="a2", refresh_token="r2", token_type="bearer", expires_in=900
        )

    async def Logout(self, request: Any, **_: Any) -> pb.LogoutResponse:
        self._record("Logout", request)
        return pb.LogoutResponse()

    async def GetMe(self, request: Any, **_: Any) -> pb.Me:
        self._record("GetMe", request)
        return pb.Me(user=user(), tenant=tenant(), permissions=["*"])

    async def CreateUser(self, request: Any, **_: Any) -> pb.User:
        self._record("CreateUser", request)
        return user(str(uuid.uuid4()), email=request.email)

    async def GetUser(self, request: Any, **_: Any) -> pb.User:
        self._record("GetUser", request)
        return user(request.id)

    async def ListUsers(self, request: Any, **_: Any) -> pb.ListUsersResponse:
        self._record("ListUsers", request)
        page = types_pb2.PageResponse(next_cursor=self.next_cursor)
        return pb.ListUsersResponse(items=[user()], page=page)

    async def UpdateUser(self, request: Any, **_: Any) -> pb.User:
        self._record("UpdateUser", request)
        return user(request.id, version=2)

    async def DisableUser(self, request: Any, **_: Any) -> pb.User:
        self._record("DisableUser", request)
        return user(request.id, active=False, version=2)

    async def ListAccessAudit(self, request: Any, **_: Any) -> pb.ListAccessAuditResponse:
        self._record("ListAccessAudit", request)
        entry = pb.AccessAuditEntry(
            id=str(uuid.uuid4()), kind="login_succeeded", user_id=USER_ID, occurred_at=_now()
        )
        return pb.ListAccessAuditResponse(items=[entry])


class FakeHealth:
    def __init__(self) -> None:
        self.error: grpc.RpcError | None = None

    async def Check(self, request: Any, **_: Any) -> Any:
        if self.error is not None:
            raise self.error
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


PLATFORM_TOKEN = "unit-platform-token"


class Clock:
    """Wall clock the tests move by hand (rate-limit windows)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_settings(**overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "env": "test",
        "platform_token": SecretStr(PLATFORM_TOKEN),
        "rate_limit_tenant_per_minute": 1000,
        "rate_limit_principal_per_minute": 1000,
        "rate_limit_anonymous_per_minute": 1000,
        "jwks_min_refresh_seconds": 5,
        "cors_origins": [],
        "trust_forwarded_for": False,
        "max_body_bytes": 1024 * 1024,
        **overrides,
    }
    return GatewaySettings(**values)


ClientFactory = Callable[..., httpx.AsyncClient]
