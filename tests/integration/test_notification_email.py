"""E-mail notifications end to end (real processes, a real SMTP server in this
process): a notification for a user with e-mail on arrives by SMTP in their
language; quiet hours hold mail until they end in the user's zone; Persian
renders right-to-left; a duplicate event yields one e-mail; the SMTP password
never appears in API responses or the services' logs."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crm.notifications.v1 import notifications_pb2
from crm_common.events.envelope import NewEvent, build_envelope
from crm_common.events.streams import connect_nats
from tests.integration.api import Api, Session, Tenant
from tests.integration.conftest import Stack
from tests.integration.smtp_server import SmtpServer, html_part, smtp_server, text_part

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:aiosmtpd.smtp")
SMTP_USER = "crm-mailer"
SMTP_PASSWORD = f"pw-{uuid.uuid4().hex}"  # unique: searched for in responses and logs
WAIT_SECONDS = 20.0  # a bound for the loops, not a measurement


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with smtp_server(username=SMTP_USER, password=SMTP_PASSWORD) as server:
        yield server


@pytest.fixture(scope="module")
def tenant(api: Api, smtp: SmtpServer) -> Tenant:
    tenant = api.create_tenant()
    body = {
        "from_address": "crm@acme.example", "smtp_host": smtp.host, "smtp_port": smtp.port,
        "starttls": False, "username": SMTP_USER, "password": SMTP_PASSWORD,
    }  # fmt: skip
    response = api.request(
        "PUT", "/api/v1/notification-preferences/email-settings", tenant.admin, json=body
    )
    assert response.status_code == 200, response.text
    assert response.json()["password_set"] is True
    assert SMTP_PASSWORD not in response.text
    return tenant


def _user(api: Api, tenant: Tenant, language: str, timezone: str) -> tuple[str, str, Session]:
    email = f"u{uuid.uuid4().hex[:10]}@people.example"
    user = api.create_user(
        tenant.admin, email, language=language, timezone=timezone, first_name="Sam"
    )
    return str(user["id"]), email, api.login(tenant.slug, email)


def _assign_a_lead(api: Api, tenant: Tenant, owner_id: str) -> str:
    body = {"last_name": f"L{uuid.uuid4().hex[:6]}", "company": "ACME", "owner_id": owner_id}
    response = api.request("POST", "/api/v1/leads", tenant.admin, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _mail_to(smtp: SmtpServer, address: str) -> EmailMessage:
    return smtp.wait_for(lambda m: address in str(m["To"]), timeout=WAIT_SECONDS)


def test_a_notification_arrives_by_smtp_in_the_users_language(
    api: Api, tenant: Tenant, smtp: SmtpServer
) -> None:
    user_id, email, _ = _user(api, tenant, "nl", "Europe/Amsterdam")
    _assign_a_lead(api, tenant, user_id)
    mail = _mail_to(smtp, email)
    assert mail["Subject"] == "Er is een record aan je toegewezen"
    assert mail["From"] == "crm@acme.example"
    assert '<html lang="nl" dir="ltr">' in html_part(mail)
    assert "Hallo Sam" in text_part(mail)
    assert SMTP_USER in smtp.inbox.logins  # the tenant's credentials were used


def test_a_persian_user_gets_a_right_to_left_mail(
    api: Api, tenant: Tenant, smtp: SmtpServer
) -> None:
    user_id, email, _ = _user(api, tenant, "fa", "Asia/Tehran")
    _assign_a_lead(api, tenant, user_id)
    mail = _mail_to(smtp, email)
    html = html_part(mail)
    assert '<html lang="fa" dir="rtl">' in html and "text-align: right" in html
    assert mail["Subject"] == "رکوردی به شما واگذار شد"
    assert "رکوردی به شما واگذار شد" in html and "سلام Sam" in html


def _quiet_until_soon(zone: str) -> tuple[str, str, datetime]:
    """Quiet hours (local "HH:MM") that started an hour ago and end at the next
    minute that is at least 5 s away, in ``zone``; and that end as an instant."""
    local = datetime.now(UTC).astimezone(ZoneInfo(zone))
    end = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if (end - local).total_seconds() < 5:
        end += timedelta(minutes=1)
    start = end - timedelta(hours=1)
    return start.strftime("%H:%M"), end.strftime("%H:%M"), end.astimezone(UTC)


def test_quiet_hours_hold_mail_until_they_end(api: Api, tenant: Tenant, smtp: SmtpServer) -> None:
    zone = "Asia/Kolkata"  # UTC+5:30: the local clock is not the server's
    user_id, email, session = _user(api, tenant, "it", zone)
    start, end, ends_at = _quiet_until_soon(zone)
    prefs = {"quiet_hours": {"start": start, "end": end}}
    response = api.request("PUT", "/api/v1/notification-preferences", session, json=prefs)
    assert response.status_code == 200, response.text
    assert response.json()["quiet_hours"] == {"start": start, "end": end}
    assert response.json()["timezone"] == zone
    _assign_a_lead(api, tenant, user_id)
    # Until shortly before the end, nothing arrives (bounded by the end itself).
    while datetime.now(UTC) < ends_at - timedelta(seconds=1):
        assert smtp.to(email) == [], "mailed during quiet hours"
        time.sleep(0.2)
    mail = _mail_to(smtp, email)
    assert datetime.now(UTC) >= ends_at - timedelta(seconds=1)
    assert mail["Subject"] == "Ti è stato assegnato un record"


async def _publish(stack: Stack, events: list[tuple[NewEvent, str]]) -> None:
    client = await connect_nats(stack.infra.nats_url, name="email-duplicate-test")
    try:
        js = client.jetstream()
        for event, msg_id in events:
            data = build_envelope(event, source="notifications").SerializeToString()
            await js.publish(event.type, data, headers={"Nats-Msg-Id": msg_id})
    finally:
        await client.close()


def _notifications(api: Api, session: Session) -> list[dict[str, Any]]:
    response = api.request("GET", "/api/v1/notifications", session)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_a_duplicate_event_yields_one_email(
    api: Api, stack: Stack, tenant: Tenant, smtp: SmtpServer
) -> None:
    user_id, email, session = _user(api, tenant, "en", "UTC")
    _assign_a_lead(api, tenant, user_id)
    first = _mail_to(smtp, email)
    [note] = _notifications(api, session)
    again = notifications_pb2.Notification(
        id=note["id"], type=note["type"], title=note["title"], body=note.get("body", ""),
        record_type=note["record_type"], record_id=note["record_id"],
        event_id=str(uuid.uuid4()),
    )  # fmt: skip
    payload = notifications_pb2.NotificationCreated(user_id=user_id, notification=again)
    event = NewEvent("crm.notifications.created", tenant.id, note["id"], payload)
    # The same event twice (a redelivery past JetStream's de-duplication), and
    # the same notification announced by another event.
    other = NewEvent(event.type, event.tenant_id, event.subject_id, payload)
    asyncio.run(_publish(stack, [(event, "dup-1"), (event, "dup-2"), (other, "dup-3")]))
    # A second notification published after them: once it is mailed, the
    # duplicates have been consumed (one consumer, in stream order).
    _assign_a_lead(api, tenant, user_id)
    smtp.wait_for(lambda m: email in str(m["To"]) and m is not first, timeout=WAIT_SECONDS)
    deadline = time.monotonic() + WAIT_SECONDS
    while len(smtp.to(email)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(smtp.to(email)) == 2  # one per notification, none for the duplicates


def test_the_smtp_password_never_appears(api: Api, stack: Stack, tenant: Tenant) -> None:
    response = api.request("GET", "/api/v1/notification-preferences/email-settings", tenant.admin)
    assert response.status_code == 200, response.text
    assert response.json()["password_set"] is True and "password" not in response.json()
    assert SMTP_PASSWORD not in response.text
    # Changing the settings without a password keeps it (still set, still hidden).
    body = {**{k: v for k, v in response.json().items() if k in (
        "from_address", "smtp_host", "smtp_port", "starttls", "username")}}  # fmt: skip
    kept = api.request(
        "PUT", "/api/v1/notification-preferences/email-settings", tenant.admin, json=body
    )
    assert kept.status_code == 200 and kept.json()["password_set"] is True
    assert SMTP_PASSWORD not in kept.text
    bad = api.request(
        "PUT", "/api/v1/notification-preferences/email-settings", tenant.admin,
        json={**body, "smtp_port": 70000, "password": SMTP_PASSWORD},
    )  # fmt: skip
    assert bad.status_code == 422 and SMTP_PASSWORD not in bad.text
    for log in ("notifications.log", "gateway.log", "identity.log"):
        path = stack.log_dir / log
        assert SMTP_PASSWORD not in path.read_text(errors="replace"), log


def test_preferences_validation_names_the_field(api: Api, tenant: Tenant) -> None:
    _, _, session = _user(api, tenant, "en", "UTC")
    for body, field_name in [
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "start"),
        ({"digest": "weekly"}, "digest"),
        ({"digest_hour": 24}, "digest_hour"),
        ({"channels": {"no_such_type": {"in_app": True, "email": True}}}, "no_such_type"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours.end"),
    ]:
        response = api.request("PUT", "/api/v1/notification-preferences", session, json=body)
        assert response.status_code == 422, response.text
        assert field_name in response.text, response.text
    got = api.request("GET", "/api/v1/notification-preferences", session).json()
    assert got["channels"]["assigned"] == {"in_app": True, "email": True}
    assert got["channels"]["deal_moved"] == {"in_app": True, "email": False}
    assert got["digest"] == "off" and got["quiet_hours"] is None


def test_in_app_off_keeps_the_centre_quiet_and_still_mails(
    api: Api, tenant: Tenant, smtp: SmtpServer
) -> None:
    user_id, email, session = _user(api, tenant, "en", "UTC")
    prefs = {"channels": {"assigned": {"in_app": False, "email": True}}}
    response = api.request("PUT", "/api/v1/notification-preferences", session, json=prefs)
    assert response.status_code == 200, response.text
    lead_id = _assign_a_lead(api, tenant, user_id)
    assert _mail_to(smtp, email)["Subject"]  # e-mail still comes
    assert [n for n in _notifications(api, session) if n["record_id"] == lead_id] == []
    unread = api.request("GET", "/api/v1/notifications?unread=true", session).json()
    assert unread["unread_count"] == 0
