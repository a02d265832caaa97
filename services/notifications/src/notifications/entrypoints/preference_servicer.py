"""PreferenceService servicer: who is calling, call a use case, map."""

from __future__ import annotations

from typing import Any, TypeAlias

import grpc

from crm.notifications.v1 import preferences_pb2 as pb
from crm.notifications.v1 import preferences_pb2_grpc
from crm_common.access.resolver import CachedAccessResolver
from crm_common.auth import current_principal, require_authenticated
from crm_common.grpc.server import Registration
from crm_common.runtime import Runtime, ServiceParts, Subscription
from notifications import mappers_preferences as m
from notifications.adapters.identity import IdentityDirectory
from notifications.adapters.smtp import PasswordBox
from notifications.config import NotificationsSettings
from notifications.service_layer import email_enqueue, email_requests, preferences
from notifications.service_layer.delivery_deps import DeliveryDeps, EmailPolicy
from notifications.service_layer.deps import Caller
from notifications.service_layer.email_sender import sender_job

Context: TypeAlias = grpc.aio.ServicerContext
SERVICE_NAME = pb.DESCRIPTOR.services_by_name["PreferenceService"].full_name


class PreferenceServicer(preferences_pb2_grpc.PreferenceServiceServicer):
    def __init__(self, deps: DeliveryDeps) -> None:
        self._deps = deps

    async def GetPreferences(
        self, request: pb.GetPreferencesRequest, context: Context
    ) -> pb.Preferences:
        caller = Caller.of(current_principal())
        return m.preferences_to_pb(await preferences.get_preferences(caller, self._deps))

    async def UpdatePreferences(
        self, request: pb.UpdatePreferencesRequest, context: Context
    ) -> pb.Preferences:
        caller = Caller.of(current_principal())
        prefs = m.preferences_from_pb(request)
        found = await preferences.update_preferences(caller, prefs, self._deps)
        return m.preferences_to_pb(found)

    async def GetEmailSettings(
        self, request: pb.GetEmailSettingsRequest, context: Context
    ) -> pb.EmailSettings:
        row = await preferences.get_email_settings(require_authenticated(), self._deps)
        return m.email_settings_to_pb(row)

    async def UpdateEmailSettings(
        self, request: pb.UpdateEmailSettingsRequest, context: Context
    ) -> pb.EmailSettings:
        given = m.email_settings_from_pb(request)
        row = await preferences.update_email_settings(require_authenticated(), given, self._deps)
        return m.email_settings_to_pb(row)

    async def ReportBounce(self, request: pb.ReportBounceRequest, context: Context) -> pb.Bounce:
        row = await preferences.report_bounce(
            require_authenticated(), request.address, request.reason, self._deps
        )
        return m.bounce_to_pb(row)


def delivery_parts(
    settings: NotificationsSettings,
    runtime: Runtime,
    access: CachedAccessResolver,
    identity_access: Any,
) -> ServiceParts:
    """The e-mail channel's share of the service (bootstrap.py joins it): the
    preference servicer, the consumers that queue e-mails (new notifications,
    other services' requests; from now on first deploy) and the sender on every
    replica."""
    directory = IdentityDirectory(identity_access)
    secret = settings.email_secret_key.get_secret_value()
    deps = DeliveryDeps(
        uow=runtime.uow,
        contacts=directory.contacts,
        access=access.resolve,
        passwords=PasswordBox(secret or settings.internal_secret.get_secret_value()),
        policy=EmailPolicy(
            max_attempts=settings.email_max_attempts,
            backoff_seconds=settings.email_backoff_seconds,
            backoff_max_seconds=settings.email_backoff_max_seconds,
            smtp_timeout_seconds=settings.smtp_timeout_seconds,
            batch=settings.email_batch,
            concurrency=settings.email_concurrency,
        ),
    )
    servicer = PreferenceServicer(deps)
    return ServiceParts(
        registrations=[
            Registration(
                SERVICE_NAME,
                lambda server: preferences_pb2_grpc.add_PreferenceServiceServicer_to_server(
                    servicer, server
                ),
            )
        ],
        subscriptions=[
            Subscription(
                email_enqueue.CONSUMER,
                email_enqueue.SUBJECTS,
                email_enqueue.handler(deps),
                from_now=True,
            ),
            Subscription(
                email_requests.CONSUMER,
                email_requests.SUBJECTS,
                email_requests.handler(deps),
                from_now=True,
            ),
        ],
        jobs=[sender_job(deps, settings.email_poll_seconds)],
    )
