"""Preferences, e-mail settings and bounces to and from protobuf (nothing else).
The SMTP password never appears in an outgoing message (``password_set`` only)."""

from __future__ import annotations

from crm.notifications.v1 import preferences_pb2 as pb
from notifications.adapters.orm_delivery import EmailBounceRow, EmailSettingsRow
from notifications.domain import preferences as domain
from notifications.service_layer.preferences import EmailSettingsInput, UserPreferences


def preferences_to_pb(found: UserPreferences) -> pb.Preferences:
    prefs = found.preferences
    message = pb.Preferences(
        channels={
            name: pb.ChannelChoice(in_app=c.in_app, email=c.email)
            for name, c in prefs.all_channels().items()
        },
        digest=prefs.digest,
        digest_hour=prefs.digest_hour,
        timezone=found.timezone,
    )
    if prefs.quiet_hours is not None:
        start, end = prefs.quiet_hours.text()
        message.quiet_hours.CopyFrom(pb.QuietHours(start=start, end=end))
    if found.updated_at is not None:
        message.updated_at.FromDatetime(found.updated_at)
    return message


def preferences_from_pb(request: pb.UpdatePreferencesRequest) -> domain.Preferences:
    """Validated (InvalidArgument names the field)."""
    quiet = None
    if request.HasField("quiet_hours"):
        quiet = (request.quiet_hours.start, request.quiet_hours.end)
    channels = {name: (c.in_app, c.email) for name, c in request.channels.items()}
    return domain.build(channels, quiet, request.digest, request.digest_hour)


def email_settings_to_pb(row: EmailSettingsRow | None) -> pb.EmailSettings:
    if row is None:
        return pb.EmailSettings(configured=False)
    message = pb.EmailSettings(
        from_address=row.from_address,
        smtp_host=row.smtp_host,
        smtp_port=row.smtp_port,
        starttls=row.starttls,
        username=row.username,
        password_set=bool(row.password_encrypted),
        configured=True,
    )
    message.updated_at.FromDatetime(row.updated_at)
    return message


def email_settings_from_pb(request: pb.UpdateEmailSettingsRequest) -> EmailSettingsInput:
    return EmailSettingsInput(
        from_address=request.from_address,
        smtp_host=request.smtp_host,
        smtp_port=request.smtp_port,
        starttls=request.starttls,
        username=request.username,
        password=request.password,
        clear_password=request.clear_password,
    )


def bounce_to_pb(row: EmailBounceRow) -> pb.Bounce:
    message = pb.Bounce(address=row.address, reason=row.reason)
    message.bounced_at.FromDatetime(row.bounced_at)
    return message
