"""``Annotated`` dependencies: a route's signature reads like its contract.

No ``from __future__ import annotations`` here: ``idempotent`` builds a dependency
whose annotations name a local variable, which FastAPI must evaluate eagerly.

Callers come in three kinds, each a dependency that authenticates and then
applies the matching rate limits: ``user_caller`` (bearer token, or an API key
as ``Bearer crm_...`` / ``X-API-Key``; both counted against the daily usage
limits), ``platform_caller`` (X-Platform-Token) and ``anonymous_caller`` (client IP).
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from redis.asyncio import Redis
from redis.exceptions import RedisError

from crm.identity.v1.access_pb2_grpc import AccessServiceStub
from crm.identity.v1.api_keys_pb2_grpc import ApiKeyServiceStub
from crm.identity.v1.identity_pb2_grpc import IdentityServiceStub
from crm.inventory.v1.billing_pb2_grpc import BillingServiceStub
from crm.inventory.v1.inventory_pb2_grpc import InventoryServiceStub
from crm.inventory.v1.purchasing_pb2_grpc import PurchasingServiceStub
from crm.inventory.v1.stock_pb2_grpc import StockServiceStub
from crm.inventory.v1.subscriptions_pb2_grpc import SubscriptionServiceStub
from crm.marketing.v1.marketing_pb2_grpc import MarketingServiceStub
from crm.notifications.v1.notifications_pb2_grpc import NotificationServiceStub
from crm.notifications.v1.preferences_pb2_grpc import PreferenceServiceStub
from crm.notifications.v1.webhooks_pb2_grpc import WebhookServiceStub
from crm.sales.v1.activities_pb2_grpc import ActivityServiceStub
from crm.sales.v1.assignment_pb2_grpc import AssignmentRuleServiceStub
from crm.sales.v1.deals_pb2_grpc import DealServiceStub
from crm.sales.v1.forecasts_pb2_grpc import ForecastServiceStub
from crm.sales.v1.quotes_pb2_grpc import QuoteServiceStub
from crm.sales.v1.sales_pb2_grpc import SalesServiceStub
from crm.support.v1.cases_pb2_grpc import CaseServiceStub
from crm.support.v1.field_service_pb2_grpc import FieldServiceStub
from crm.support.v1.insights_pb2_grpc import InsightsServiceStub
from crm.support.v1.knowledge_pb2_grpc import KnowledgeServiceStub
from crm.support.v1.sla_pb2_grpc import SlaServiceStub
from crm_common.auth import ANONYMOUS, Principal, set_current_principal
from crm_common.logging import bind_request, request_id_var
from gateway.collaborators import Collaborators
from gateway.config import GatewaySettings
from gateway.idempotency import (
    IdempotencyStore,
    IdempotentReplayError,
    StoredResponse,
    fingerprint,
)
from gateway.middleware.idempotency import CLAIM_STATE_KEY
from gateway.problem import ProblemError
from gateway.ratelimit import Bucket, RateLimiter, enforce
from gateway.security.api_keys import (
    ApiKeyState,
    InvalidApiKeyError,
    api_key_secret,
    get_api_key_state,
    key_principal,
    verify_api_key,
)
from gateway.security.caller import Caller
from gateway.security.platform import platform_principal
from gateway.security.tokens import InvalidTokenError, TokenVerifier
from gateway.usage import meter_call

bearer_scheme = HTTPBearer(auto_error=False, description="Access token from /api/v1/auth/token")
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="API key (or send it as Bearer crm_...)"
)
platform_scheme = APIKeyHeader(
    name="X-Platform-Token", auto_error=False, description="Platform operator token"
)


# Dependencies are ``async def`` even when they do no I/O: FastAPI runs a plain ``def``
# dependency in its thread pool, a thread hop (~0.1 ms CPU) per dependency and request;
# six of them were ~10% of the gateway's CPU under load (docs/performance.md).
async def get_settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


async def get_collaborators(request: Request) -> Collaborators:
    collaborators: Collaborators = request.app.state.collaborators
    return collaborators


Settings = Annotated[GatewaySettings, Depends(get_settings)]
CollaboratorsDep = Annotated[Collaborators, Depends(get_collaborators)]


async def get_identity(collaborators: CollaboratorsDep) -> Any:
    return collaborators.identity


async def get_redis(collaborators: CollaboratorsDep) -> Redis:
    return collaborators.redis


IdentityStub = Annotated[IdentityServiceStub, Depends(get_identity)]


def _stub(name: str) -> Callable[[Collaborators], Awaitable[Any]]:
    """The dependency answering ``collaborators.<name>`` (async: no thread-pool hop)."""

    async def stub(collaborators: CollaboratorsDep) -> Any:
        return getattr(collaborators, name)

    stub.__name__ = f"get_{name}"
    return stub


AccessStub = Annotated[AccessServiceStub, Depends(_stub("access"))]
InventoryStub = Annotated[InventoryServiceStub, Depends(_stub("inventory"))]
PurchasingStub = Annotated[PurchasingServiceStub, Depends(_stub("purchasing"))]
BillingStub = Annotated[BillingServiceStub, Depends(_stub("billing"))]
StockStub = Annotated[StockServiceStub, Depends(_stub("stock"))]
SubscriptionStub = Annotated[SubscriptionServiceStub, Depends(_stub("subscriptions"))]
NotificationStub = Annotated[NotificationServiceStub, Depends(_stub("notifications"))]
WebhookStub = Annotated[WebhookServiceStub, Depends(_stub("webhooks"))]
PreferenceStub = Annotated[PreferenceServiceStub, Depends(_stub("notification_preferences"))]
MarketingStub = Annotated[MarketingServiceStub, Depends(_stub("marketing"))]
CaseStub = Annotated[CaseServiceStub, Depends(_stub("cases"))]
SlaStub = Annotated[SlaServiceStub, Depends(_stub("sla"))]
FieldServiceDep = Annotated[FieldServiceStub, Depends(_stub("field_service"))]
KnowledgeStub = Annotated[KnowledgeServiceStub, Depends(_stub("knowledge"))]
InsightsStub = Annotated[InsightsServiceStub, Depends(_stub("insights"))]
SalesStub = Annotated[SalesServiceStub, Depends(_stub("sales"))]
ForecastStub = Annotated[ForecastServiceStub, Depends(_stub("forecasts"))]
QuoteStub = Annotated[QuoteServiceStub, Depends(_stub("quotes"))]
DealStub = Annotated[DealServiceStub, Depends(_stub("deals"))]
ActivityStub = Annotated[ActivityServiceStub, Depends(_stub("activities"))]
AssignmentRuleStub = Annotated[AssignmentRuleServiceStub, Depends(_stub("assignment_rules"))]
ApiKeyStub = Annotated[ApiKeyServiceStub, Depends(_stub("api_keys"))]
RedisDep = Annotated[Redis, Depends(get_redis)]


async def client_ip(request: Request, settings: Settings) -> str:
    if settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        # The right-most entry is the one our own proxy appended; the rest is client-made.
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.client.host if request.client else "unknown"


ClientIp = Annotated[str, Depends(client_ip)]


async def _limit(collaborators: Collaborators, buckets: list[Bucket]) -> None:
    limiter = RateLimiter(collaborators.redis, collaborators.clock)
    enforce(await limiter.check(buckets))


def _ip_bucket(settings: GatewaySettings, ip: str) -> Bucket:
    return Bucket("ip", ip, settings.rate_limit_anonymous_per_minute)


def _unauthenticated(detail: str, scheme: str = "Bearer") -> ProblemError:
    return ProblemError(401, detail, headers={"WWW-Authenticate": scheme})


def _adopt(principal: Principal) -> None:
    """The gRPC client interceptor forwards this principal; logs carry its tenant."""
    set_current_principal(principal)
    bind_request(request_id_var.get(), principal.tenant_id)


async def user_caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    ip: ClientIp,
    settings: Settings,
    collaborators: CollaboratorsDep,
    *,
    api_key: Annotated[str | None, Depends(api_key_scheme)],
    key_state: Annotated[ApiKeyState, Depends(get_api_key_state)],
) -> Caller:
    # An API key (X-API-Key, or a bearer value starting with crm_) instead of a JWT.
    secret = api_key_secret(credentials, api_key)
    if secret is not None:
        return await _api_key_caller(secret, key_state, ip, settings, collaborators)
    if credentials is None:
        await _limit(collaborators, [_ip_bucket(settings, ip)])
        raise _unauthenticated("a bearer access token is required")
    verifier = TokenVerifier(
        collaborators.jwks, collaborators.redis, leeway_seconds=settings.token_leeway_seconds
    )
    try:
        principal = await verifier.verify(credentials.credentials)
    except InvalidTokenError as exc:
        # Failed credentials count against the client IP, so guessing is throttled.
        await _limit(collaborators, [_ip_bucket(settings, ip)])
        raise _unauthenticated(str(exc), 'Bearer error="invalid_token"') from exc
    _adopt(principal)
    await _limit(
        collaborators,
        [
            Bucket("tenant", principal.tenant_id, settings.rate_limit_tenant_per_minute),
            Bucket("principal", principal.user_id, settings.rate_limit_principal_per_minute),
        ],
    )
    await meter_call(collaborators, key_state, principal)  # daily usage count and limit
    return Caller(principal, ip)


async def _api_key_caller(
    secret: str,
    key_state: ApiKeyState,
    ip: str,
    settings: GatewaySettings,
    collaborators: Collaborators,
) -> Caller:
    """Like a token: identity verifies the key (cached a few seconds), then the same
    rate limits with the key as principal, then the tenant's and the key's daily limits."""
    try:
        key = await verify_api_key(secret, collaborators.api_keys, key_state, collaborators.clock)
    except InvalidApiKeyError as exc:
        await _limit(collaborators, [_ip_bucket(settings, ip)])
        raise _unauthenticated(str(exc), 'Bearer error="invalid_token"') from exc
    principal = key_principal(key)
    _adopt(principal)
    await _limit(
        collaborators,
        [
            Bucket("tenant", key.tenant_id, settings.rate_limit_tenant_per_minute),
            Bucket("principal", key.key_id, settings.rate_limit_principal_per_minute),
        ],
    )
    await meter_call(collaborators, key_state, principal, key)
    return Caller(principal, ip)


async def platform_caller(
    token: Annotated[str | None, Depends(platform_scheme)],
    ip: ClientIp,
    settings: Settings,
    collaborators: CollaboratorsDep,
) -> Caller:
    principal = platform_principal(token or "", settings.platform_token)
    if principal is None:
        await _limit(collaborators, [_ip_bucket(settings, ip)])
        raise _unauthenticated("a valid X-Platform-Token is required", "X-Platform-Token")
    _adopt(principal)
    bucket = Bucket("principal", "platform", settings.rate_limit_principal_per_minute)
    await _limit(collaborators, [bucket])
    return Caller(principal, ip)


async def anonymous_caller(
    ip: ClientIp, settings: Settings, collaborators: CollaboratorsDep
) -> Caller:
    await _limit(collaborators, [_ip_bucket(settings, ip)])
    return Caller(ANONYMOUS, ip)


async def _user_principal(caller: Annotated[Caller, Depends(user_caller)]) -> Principal:
    return caller.principal


async def _platform_principal(caller: Annotated[Caller, Depends(platform_caller)]) -> Principal:
    return caller.principal


# For ``dependencies=[...]`` of routes that need the check but not the value.
RequireUser = Depends(user_caller)
RequirePlatform = Depends(platform_caller)

CurrentPrincipal = Annotated[Principal, Depends(_user_principal)]
PlatformPrincipal = Annotated[Principal, Depends(_platform_principal)]
AnonymousCaller = Annotated[Caller, Depends(anonymous_caller)]


CallerDependency = Callable[..., Awaitable[Caller]]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Retry-safe POST: the same key and body replay the first answer",
    ),
]


def idempotent(caller_dependency: CallerDependency) -> Any:
    """A route dependency claiming the request's Idempotency-Key for its caller."""

    async def guard(
        request: Request,
        caller: Annotated[Caller, Depends(caller_dependency)],
        settings: Settings,
        collaborators: CollaboratorsDep,
        key: IdempotencyKey = None,
    ) -> None:
        if key is None:
            return
        store = IdempotencyStore(collaborators.redis, settings.idempotency_ttl_seconds)
        fp = fingerprint(request.method, request.url.path, await request.body())
        try:
            outcome = await store.begin(caller.scope_key, key, fp)
        except (RedisError, OSError) as exc:
            raise ProblemError(
                503, "idempotency keys are unavailable; retry later", headers={"Retry-After": "1"}
            ) from exc
        if isinstance(outcome, StoredResponse):
            raise IdempotentReplayError(outcome)
        setattr(request.state, CLAIM_STATE_KEY, outcome)

    return Depends(guard)


UserIdempotency = idempotent(user_caller)
PlatformIdempotency = idempotent(platform_caller)
AnonymousIdempotency = idempotent(anonymous_caller)
