"""Notification preferences, the tenant's e-mail settings and the bounce hook
(the notifications service validates the rest and names the field at fault)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from gateway.schemas.common import RequestBody

HHMM = Annotated[
    str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", min_length=5, max_length=5)
]
TypeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Address = Annotated[str, StringConstraints(min_length=3, max_length=254, strip_whitespace=True)]


class ChannelChoice(RequestBody):
    in_app: bool = True
    email: bool = False


class QuietHours(RequestBody):
    start: HHMM = Field(description='Local time "HH:MM" (the user\'s time zone)')
    end: HHMM = Field(description='"HH:MM"; before start crosses midnight (22:00-07:00)')


class PreferencesUpdate(RequestBody):
    channels: dict[TypeName, ChannelChoice] = Field(
        default_factory=dict,
        max_length=100,
        description="Notification type -> channels; types left out take their defaults",
    )
    quiet_hours: QuietHours | None = Field(default=None, description="null: no quiet hours")
    digest: Literal["off", "daily"] = Field(
        default="off", description="daily: one e-mail a day with the held items"
    )
    digest_hour: int = Field(default=8, ge=0, le=23, description="Local hour of the digest")


class ChannelRead(BaseModel):
    in_app: bool
    email: bool


class QuietHoursRead(BaseModel):
    start: str
    end: str


class PreferencesRead(BaseModel):
    channels: dict[str, ChannelRead]
    quiet_hours: QuietHoursRead | None = None
    digest: str
    digest_hour: int
    timezone: str = Field(description="The time zone quiet hours and digests use (your profile's)")
    updated_at: datetime | None = None


class EmailSettingsUpdate(RequestBody):
    from_address: Address
    smtp_host: Annotated[str, StringConstraints(min_length=1, max_length=253)]
    smtp_port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    username: Annotated[str, StringConstraints(max_length=254)] = ""
    password: Annotated[str, StringConstraints(max_length=1024)] | None = Field(
        default=None,
        description="Write-only; never returned. Omit (or null) to keep the stored one",
    )
    clear_password: bool = Field(default=False, description="Remove the stored password")


class EmailSettingsRead(BaseModel):
    configured: bool
    from_address: str = ""
    smtp_host: str = ""
    smtp_port: int = 0
    starttls: bool = False
    username: str = ""
    password_set: bool = False
    updated_at: datetime | None = None


class BounceCreate(RequestBody):
    address: Address
    reason: Annotated[str, StringConstraints(max_length=500)] = ""


class BounceRead(BaseModel):
    address: str
    reason: str
    bounced_at: datetime | None = None
