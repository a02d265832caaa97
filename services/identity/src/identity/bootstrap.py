"""The only wiring of the identity service."""

from __future__ import annotations

from crm.identity.v1 import identity_pb2, identity_pb2_grpc
from crm_common.grpc.server import Registration
from crm_common.runtime import Runtime, ServiceParts, Subscription
from identity.adapters.keys import SigningKeys
from identity.adapters.passwords import Passwords
from identity.adapters.throttle import LoginThrottle
from identity.adapters.tokens import AccessTokens
from identity.config import IdentitySettings
from identity.domain import events
from identity.entrypoints.grpc_server import IdentityServicer
from identity.service_layer import audit
from identity.service_layer.deps import IdentityDeps

SERVICE_NAME = identity_pb2.DESCRIPTOR.services_by_name["IdentityService"].full_name


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


def build(settings: IdentitySettings, runtime: Runtime) -> ServiceParts:
    deps = build_deps(settings, runtime)
    servicer = IdentityServicer(deps)
    return ServiceParts(
        registrations=[
            Registration(
                SERVICE_NAME,
                lambda server: identity_pb2_grpc.add_IdentityServiceServicer_to_server(
                    servicer, server
                ),
            )
        ],
        subscriptions=[
            Subscription(audit.CONSUMER, [events.AUTH_EVENTS], audit.record_access_event)
        ],
    )
