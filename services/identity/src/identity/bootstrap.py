"""The only wiring of the identity service."""

from __future__ import annotations

from crm.identity.v1 import (
    access_pb2,
    access_pb2_grpc,
    api_keys_pb2,
    api_keys_pb2_grpc,
    identity_pb2,
    identity_pb2_grpc,
)
from crm_common.grpc.server import Registration
from crm_common.runtime import Runtime, ServiceParts, Subscription
from identity.adapters.keys import SigningKeys
from identity.adapters.passwords import Passwords
from identity.adapters.throttle import LoginThrottle
from identity.adapters.tokens import AccessTokens
from identity.config import IdentitySettings
from identity.domain import events
from identity.entrypoints.access_server import AccessServicer
from identity.entrypoints.api_keys_server import ApiKeyServicer
from identity.entrypoints.grpc_server import IdentityServicer
from identity.service_layer import audit, tenant_seed, usage
from identity.service_layer.deps import IdentityDeps

SERVICE_NAME = identity_pb2.DESCRIPTOR.services_by_name["IdentityService"].full_name
ACCESS_SERVICE_NAME = access_pb2.DESCRIPTOR.services_by_name["AccessService"].full_name
API_KEY_SERVICE_NAME = api_keys_pb2.DESCRIPTOR.services_by_name["ApiKeyService"].full_name


def build_deps(settings: IdentitySettings, runtime: Runtime) -> IdentityDeps:
    keys = SigningKeys(
        runtime.sessions,
        passphrase=settings.identity_key_passphrase.get_secret_value(),
        cache_seconds=settings.signing_key_cache_seconds,
        token_ttl_seconds=settings.access_token_ttl_seconds,
        activation_seconds=settings.signing_key_activation_seconds,
    )
    return IdentityDeps(
        settings=settings,
        uow=runtime.uow,
        passwords=Passwords(),
        keys=keys,
        access_tokens=AccessTokens(keys, settings.access_token_ttl_seconds),
        throttle=LoginThrottle(
            runtime.redis,
            max_failures=settings.login_max_failures,
            window_seconds=settings.login_lockout_seconds,
        ),
        redis=runtime.redis,
    )


def registrations(deps: IdentityDeps) -> list[Registration]:
    identity, access, api_keys = IdentityServicer(deps), AccessServicer(deps), ApiKeyServicer(deps)
    return [
        Registration(
            SERVICE_NAME,
            lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(
                identity, server
            ),
        ),
        Registration(
            ACCESS_SERVICE_NAME,
            lambda server: access_pb2_grpc.add_AccessServiceServicer_to_server(access, server),
        ),
        Registration(
            API_KEY_SERVICE_NAME,
            lambda server: api_keys_pb2_grpc.add_ApiKeyServiceServicer_to_server(api_keys, server),
        ),
    ]


def build(settings: IdentitySettings, runtime: Runtime) -> ServiceParts:
    deps = build_deps(settings, runtime)
    return ServiceParts(
        jobs=[
            lambda stop: tenant_seed.seed_pending_tenants(deps),
            usage.flush_job(deps, interval=60.0),
        ],
        registrations=registrations(deps),
        subscriptions=[Subscription(audit.CONSUMER, events.AUDITED, audit.record_access_event)],
    )
