"""Notification preferences (the notifications service): the caller's channels,
quiet hours and digest; the tenant's e-mail (SMTP) settings and the bounce hook,
for administrators (profile "*"). API keys have no preferences of their own."""

from __future__ import annotations

from fastapi import APIRouter

from crm.notifications.v1 import preferences_pb2 as pb
from gateway import mappers_notification_preferences as mappers
from gateway.deps import PreferenceStub, RequireUser
from gateway.openapi import problem_responses
from gateway.schemas.notification_preferences import (
    BounceCreate,
    BounceRead,
    EmailSettingsRead,
    EmailSettingsUpdate,
    PreferencesRead,
    PreferencesUpdate,
)

router = APIRouter(
    prefix="/notification-preferences", tags=["notifications"], dependencies=[RequireUser]
)


@router.get(
    "", responses=problem_responses(401, 403),
    summary="Your preferences: channels per notification type, quiet hours, digest",
)  # fmt: skip
async def get_preferences(preferences: PreferenceStub) -> PreferencesRead:
    return mappers.preferences_read(await preferences.GetPreferences(pb.GetPreferencesRequest()))


@router.put(
    "", responses=problem_responses(401, 403, 422),
    summary="Replace your preferences (types left out take their defaults)",
)  # fmt: skip
async def put_preferences(body: PreferencesUpdate, preferences: PreferenceStub) -> PreferencesRead:
    answer = await preferences.UpdatePreferences(mappers.update_preferences_request(body))
    return mappers.preferences_read(answer)


@router.get(
    "/email-settings", responses=problem_responses(401, 403),
    summary="The tenant's SMTP settings (administrators; the password is never returned)",
)  # fmt: skip
async def get_email_settings(preferences: PreferenceStub) -> EmailSettingsRead:
    answer = await preferences.GetEmailSettings(pb.GetEmailSettingsRequest())
    return mappers.email_settings_read(answer)


@router.put(
    "/email-settings", responses=problem_responses(401, 403, 422),
    summary="Replace the tenant's SMTP settings (administrators; password write-only)",
)  # fmt: skip
async def put_email_settings(
    body: EmailSettingsUpdate, preferences: PreferenceStub
) -> EmailSettingsRead:
    answer = await preferences.UpdateEmailSettings(mappers.update_email_settings_request(body))
    return mappers.email_settings_read(answer)


@router.post(
    "/email-bounces", responses=problem_responses(401, 403, 422),
    summary="Bounce hook: the address is not mailed again (administrators or an admin API key)",
)  # fmt: skip
async def report_bounce(body: BounceCreate, preferences: PreferenceStub) -> BounceRead:
    return mappers.bounce_read(await preferences.ReportBounce(mappers.bounce_request(body)))
