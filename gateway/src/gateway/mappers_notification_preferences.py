"""Notification preferences, e-mail settings and bounces: JSON <-> protobuf. The
SMTP password only travels inward."""

from __future__ import annotations

from crm.notifications.v1 import preferences_pb2 as pb
from crm_common.wire import time_field
from gateway.schemas.notification_preferences import (
    BounceCreate,
    BounceRead,
    ChannelRead,
    EmailSettingsRead,
    EmailSettingsUpdate,
    PreferencesRead,
    PreferencesUpdate,
    QuietHoursRead,
)


def preferences_read(message: pb.Preferences) -> PreferencesRead:
    quiet = None
    if message.HasField("quiet_hours"):
        quiet = QuietHoursRead(start=message.quiet_hours.start, end=message.quiet_hours.end)
    return PreferencesRead(
        channels={
            name: ChannelRead(in_app=c.in_app, email=c.email)
            for name, c in sorted(message.channels.items())
        },
        quiet_hours=quiet,
        digest=message.digest,
        digest_hour=message.digest_hour,
        timezone=message.timezone,
        updated_at=time_field(message, "updated_at"),
    )


def update_preferences_request(body: PreferencesUpdate) -> pb.UpdatePreferencesRequest:
    request = pb.UpdatePreferencesRequest(
        channels={
            name: pb.ChannelChoice(in_app=c.in_app, email=c.email)
            for name, c in body.channels.items()
        },
        digest=body.digest,
        digest_hour=body.digest_hour,
    )
    if body.quiet_hours is not None:
        request.quiet_hours.CopyFrom(
            pb.QuietHours(start=body.quiet_hours.start, end=body.quiet_hours.end)
        )
    return request


def email_settings_read(message: pb.EmailSettings) -> EmailSettingsRead:
    return EmailSettingsRead(
        configured=message.configured,
        from_address=message.from_address,
        smtp_host=message.smtp_host,
        smtp_port=message.smtp_port,
        starttls=message.starttls,
        username=message.username,
        password_set=message.password_set,
        updated_at=time_field(message, "updated_at"),
    )


def update_email_settings_request(body: EmailSettingsUpdate) -> pb.UpdateEmailSettingsRequest:
    return pb.UpdateEmailSettingsRequest(
        from_address=body.from_address,
        smtp_host=body.smtp_host,
        smtp_port=body.smtp_port,
        starttls=body.starttls,
        username=body.username,
        password=body.password or "",
        clear_password=body.clear_password,
    )


def bounce_request(body: BounceCreate) -> pb.ReportBounceRequest:
    return pb.ReportBounceRequest(address=body.address, reason=body.reason)


def bounce_read(message: pb.Bounce) -> BounceRead:
    return BounceRead(
        address=message.address,
        reason=message.reason,
        bounced_at=time_field(message, "bounced_at"),
    )
