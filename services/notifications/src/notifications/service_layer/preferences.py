"""Use cases of preferences (the caller's own), the tenant's e-mail settings and
the bounce hook (administrators: profile "*", users or API keys).

The SMTP password is write-only: stored encrypted, never returned, never logged.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from crm_common.access import ALL, AccessContext
from crm_common.auth import Principal
from crm_common.errors import InvalidArgument, PermissionDenied, Unauthenticated
from notifications.adapters.orm_delivery import EmailBounceRow, EmailSettingsRow
from notifications.adapters.preference_repository import PreferenceRepository, to_domain
from notifications.domain.preferences import Preferences
from notifications.service_layer.delivery_deps import DeliveryDeps
from notifications.service_layer.deps import Caller

_ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
MAX_ADDRESS = 254


@dataclass(frozen=True)
class UserPreferences:
    preferences: Preferences
    timezone: str
    updated_at: datetime | None


@dataclass(frozen=True)
class EmailSettingsInput:
    from_address: str
    smtp_host: str
    smtp_port: int
    starttls: bool = False
    username: str = ""
    password: str = ""  # empty: keep the stored one
    clear_password: bool = False


def valid_address(value: str, field_name: str) -> str:
    address = value.strip()
    if len(address) > MAX_ADDRESS or not _ADDRESS.match(address):
        raise InvalidArgument.for_field(field_name, "must be an e-mail address")
    return address


async def _timezone(caller: Caller, deps: DeliveryDeps) -> str:
    found = await deps.contacts(caller.tenant_id, [caller.user_id])
    contact = found.get(str(caller.user_id))
    return contact.timezone if contact else "UTC"


async def get_preferences(caller: Caller, deps: DeliveryDeps) -> UserPreferences:
    async with deps.uow() as uow:
        row = await PreferenceRepository(uow.session, caller.tenant_id).row(caller.user_id)
        prefs = to_domain(row)
    return UserPreferences(prefs, await _timezone(caller, deps), row.updated_at if row else None)


async def update_preferences(
    caller: Caller, prefs: Preferences, deps: DeliveryDeps
) -> UserPreferences:
    async with deps.uow() as uow:
        row = await PreferenceRepository(uow.session, caller.tenant_id).save(caller.user_id, prefs)
        updated_at = row.updated_at
        await uow.commit()
    return UserPreferences(prefs, await _timezone(caller, deps), updated_at)


def _is_admin(ctx: AccessContext) -> bool:
    return ALL in ctx.permissions.get(ALL, frozenset())


async def _admin_tenant(principal: Principal, deps: DeliveryDeps) -> uuid.UUID:
    if not principal.is_authenticated or not principal.tenant_id:
        raise Unauthenticated("sign in first")
    if not _is_admin(await deps.access(principal)):
        raise PermissionDenied("only administrators manage e-mail settings")
    return uuid.UUID(principal.tenant_id)


def _actor(principal: Principal) -> uuid.UUID | None:
    try:
        return uuid.UUID(principal.user_id) if principal.user_id else None
    except ValueError:
        return None


async def get_email_settings(principal: Principal, deps: DeliveryDeps) -> EmailSettingsRow | None:
    tenant_id = await _admin_tenant(principal, deps)
    async with deps.uow() as uow:
        return await PreferenceRepository(uow.session, tenant_id).email_settings()


def check_email_settings(given: EmailSettingsInput) -> None:
    valid_address(given.from_address, "from_address")
    host = given.smtp_host.strip()
    if not host or len(host) > 253 or not _HOST.match(host):
        raise InvalidArgument.for_field("smtp_host", "must be a host name or IP address")
    if not 1 <= given.smtp_port <= 65535:
        raise InvalidArgument.for_field("smtp_port", "must be a port 1-65535")
    if len(given.username) > 254:
        raise InvalidArgument.for_field("username", "at most 254 characters")
    if len(given.password) > 1024:
        raise InvalidArgument.for_field("password", "at most 1024 characters")
    if given.password and not given.username.strip():
        raise InvalidArgument.for_field("username", "required with a password")


async def update_email_settings(
    principal: Principal, given: EmailSettingsInput, deps: DeliveryDeps
) -> EmailSettingsRow:
    check_email_settings(given)
    tenant_id = await _admin_tenant(principal, deps)
    values: dict[str, object] = {
        "from_address": given.from_address.strip(),
        "smtp_host": given.smtp_host.strip(),
        "smtp_port": given.smtp_port,
        "starttls": given.starttls,
        "username": given.username.strip(),
    }
    sealed = deps.passwords.seal(given.password) if given.password else None
    keep = not given.password and not given.clear_password
    async with deps.uow() as uow:
        row = await PreferenceRepository(uow.session, tenant_id).save_email_settings(
            values, sealed, keep, _actor(principal)
        )
        await uow.commit()
    return row


async def report_bounce(
    principal: Principal, address: str, reason: str, deps: DeliveryDeps
) -> EmailBounceRow:
    clean = valid_address(address, "address").lower()
    if len(reason) > 500:
        raise InvalidArgument.for_field("reason", "at most 500 characters")
    tenant_id = await _admin_tenant(principal, deps)
    async with deps.uow() as uow:
        row = await PreferenceRepository(uow.session, tenant_id).add_bounce(clean, reason.strip())
        await uow.commit()
    return row
