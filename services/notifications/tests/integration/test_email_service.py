"""The e-mail channel against real PostgreSQL, NATS and a real SMTP server
(aiosmtpd on 127.0.0.1): preferences, tenant settings (write-only password),
the queue (a redelivered event mails once), quiet hours and digests by the
clock, retries with backoff until given up, bounces, other services' requests,
and the delivered/failed events in the outbox."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from nats.js import JetStreamContext

from crm.common.v1 import events_pb2 as common_events
from crm.notifications.v1 import delivery_events_pb2, email_pb2, notifications_pb2
from crm.notifications.v1 import preferences_pb2 as pb
from crm_common.access import AccessContext
from crm_common.auth import Principal
from crm_common.errors import InvalidArgument, PermissionDenied
from crm_common.events.consumer import EventConsumer
from crm_common.events.envelope import NewEvent, build_envelope
from crm_common.events.tables import OutboxMessage
from notifications import mappers_preferences
from notifications.adapters.identity import Contact
from notifications.adapters.orm_delivery import EmailMessageRow, EmailSettingsRow
from notifications.adapters.smtp import PasswordBox
from notifications.domain import preferences as domain
from notifications.service_layer import email_enqueue, email_requests, email_sender, preferences
from notifications.service_layer.delivery_deps import DeliveryDeps, EmailPolicy
from notifications.service_layer.deps import Caller, NotificationsDeps
from notifications.service_layer.preferences import EmailSettingsInput
from tests.integration.smtp_server import SmtpServer, html_part, smtp_server, text_part

PASSWORD = "smtp-pa55word-never-shown"
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:aiosmtpd.smtp")


@dataclass
class World:
    """One tenant with an admin and users, a clock, and deps around them."""

    tenant: uuid.UUID
    admin: Principal
    contacts: dict[str, Contact] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime(2024, 1, 10, 12, 0, tzinfo=UTC))
    deps: DeliveryDeps | None = None

    def user(self, language: str = "en", timezone: str = "UTC", active: bool = True) -> Caller:
        caller = Caller(self.tenant, uuid.uuid4())
        email = f"u{uuid.uuid4().hex[:8]}@mail.example"
        self.contacts[str(caller.user_id)] = Contact(
            str(caller.user_id), email, f"User {language}", language, timezone, active
        )
        return caller

    def email_of(self, caller: Caller) -> str:
        return self.contacts[str(caller.user_id)].email

    @property
    def d(self) -> DeliveryDeps:
        assert self.deps is not None
        return self.deps


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server(username="mailer", password=PASSWORD) as server:
        yield server


@pytest.fixture
async def world(notifications_deps: NotificationsDeps, smtp: SmtpServer) -> World:
    tenant = uuid.uuid4()
    w = World(tenant, Principal(kind="user", tenant_id=str(tenant), user_id=str(uuid.uuid4())))

    async def contacts(tenant_id: uuid.UUID, ids: Any) -> dict[str, Contact]:
        assert tenant_id == w.tenant
        return {str(i): w.contacts[str(i)] for i in ids if str(i) in w.contacts}

    async def access(principal: Principal) -> AccessContext:
        grants = {"*": frozenset({"*"})} if principal.user_id == w.admin.user_id else {}
        return AccessContext(tenant_id=principal.tenant_id, permissions=grants)

    w.deps = DeliveryDeps(
        uow=notifications_deps.uow, contacts=contacts, access=access,
        passwords=PasswordBox("test-secret"),
        policy=EmailPolicy(max_attempts=3, backoff_seconds=10, backoff_max_seconds=60,
                           smtp_timeout_seconds=5),
        now=lambda: w.now,
    )  # fmt: skip
    settings = EmailSettingsInput(
        "crm@acme.example", smtp.host, smtp.port, False, "mailer", PASSWORD
    )
    await preferences.update_email_settings(w.admin, settings, w.d)
    return w


def created(w: World, caller: Caller, kind: str = "assigned", title: str = "A lead") -> NewEvent:
    note = notifications_pb2.Notification(
        id=str(uuid.uuid4()), type=kind, title=title, body="Lead ACME is yours.",
        record_type="lead", record_id=str(uuid.uuid4()), event_id=str(uuid.uuid4()),
    )  # fmt: skip
    payload = notifications_pb2.NotificationCreated(user_id=str(caller.user_id), notification=note)
    return NewEvent(email_enqueue.CREATED, str(w.tenant), note.id, payload)


async def enqueue(w: World, event: NewEvent) -> bool:
    envelope = build_envelope(event, source="notifications")
    async with w.d.uow() as uow:
        added = await email_enqueue.enqueue_notification(uow, envelope, w.d)
        await uow.commit()
    return added


async def rows_of(w: World, caller: Caller | None = None) -> list[EmailMessageRow]:
    async with w.d.uow() as uow:
        stmt = sa.select(EmailMessageRow).where(EmailMessageRow.tenant_id == w.tenant)
        if caller is not None:
            stmt = stmt.where(EmailMessageRow.user_id == caller.user_id)
        return list(await uow.session.scalars(stmt.order_by(EmailMessageRow.created_at)))


async def reports(w: World) -> list[tuple[str, delivery_events_pb2.DeliveryReported]]:
    async with w.d.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.tenant_id == str(w.tenant),
                OutboxMessage.subject.in_([email_sender.DELIVERED, email_sender.FAILED_EVENT]),
            )
            .order_by(OutboxMessage.seq)
        )
        out = []
        for row in rows:
            envelope = common_events.Envelope.FromString(row.payload)
            report = delivery_events_pb2.DeliveryReported()
            envelope.payload.Unpack(report)
            out.append((row.subject, report))
        return out


async def test_a_notification_is_mailed_once_in_the_users_language(
    world: World, smtp: SmtpServer, notifications_js: JetStreamContext
) -> None:
    w = world
    anne = w.user("nl-NL", "Europe/Amsterdam")
    event = created(w, anne)
    # The consumer, with the event published twice (a redelivery): one row.
    data = build_envelope(event, source="notifications").SerializeToString()
    for n in range(2):
        await notifications_js.publish(event.type, data, headers={"Nats-Msg-Id": f"{event.id}-{n}"})
    consumer = EventConsumer(
        f"test-email-{uuid.uuid4().hex[:8]}", email_enqueue.SUBJECTS,
        email_enqueue.handler(w.d), w.d.uow, lambda: notifications_js,
    )  # fmt: skip
    for _ in range(30):  # bounded: until a fetch finds nothing left
        with contextlib.suppress(TimeoutError):
            if await consumer.process_batch(timeout=1.0) == 0:
                break
    # The same notification announced again under another event id: still one row.
    again = NewEvent(event.type, event.tenant_id, event.subject_id, event.payload)
    assert not await enqueue(w, again)
    assert len(await rows_of(w, anne)) == 1
    assert await email_sender.send_due(w.d) == 1
    assert await email_sender.send_due(w.d) == 0
    mails = smtp.to(w.email_of(anne))
    assert len(mails) == 1 and smtp.inbox.logins == ["mailer"]
    mail = mails[0]
    assert mail["Subject"] == "Er is een record aan je toegewezen"
    assert mail["From"] == "crm@acme.example" and mail["Content-Language"] == "nl"
    assert '<html lang="nl" dir="ltr">' in html_part(mail) and "Lead ACME" in text_part(mail)
    [(subject, report)] = await reports(w)
    row = (await rows_of(w, anne))[0]
    assert subject == email_sender.DELIVERED and report.channel == "email"
    assert report.delivery_id == str(row.id) and report.user_id == str(anne.user_id)
    assert report.recipient == w.email_of(anne) and report.attempts == 1
    assert row.status == "sent" and row.sent_at == w.now


async def test_what_is_not_mailed(world: World) -> None:
    w = world
    quiet_type = w.user()
    assert not await enqueue(w, created(w, quiet_type, kind="deal_moved"))  # email off
    opted_out = w.user()
    off = domain.build({"assigned": (True, False)}, None, "off", 8)
    await preferences.update_preferences(opted_out, off, w.d)
    assert not await enqueue(w, created(w, opted_out))
    disabled = w.user(active=False)
    assert not await enqueue(w, created(w, disabled))
    stranger = Caller(w.tenant, uuid.uuid4())  # identity does not know them
    assert not await enqueue(w, created(w, stranger))
    bounced = w.user()
    await preferences.report_bounce(w.admin, w.email_of(bounced).upper(), "550 no such user", w.d)
    assert not await enqueue(w, created(w, bounced))
    assert await rows_of(w) == []


async def test_quiet_hours_hold_mail_until_they_end(world: World, smtp: SmtpServer) -> None:
    w = world
    w.now = datetime(2024, 3, 30, 22, 30, tzinfo=UTC)  # 23:30 in Amsterdam, before DST
    night = w.user("it", "Europe/Amsterdam")
    quiet = domain.build({}, ("22:00", "07:00"), "off", 8)
    await preferences.update_preferences(night, quiet, w.d)
    assert await enqueue(w, created(w, night))
    [row] = await rows_of(w, night)
    ends = datetime(2024, 3, 31, 5, 0, tzinfo=UTC)  # 07:00 CEST, after the clocks moved
    assert row.send_after == ends
    w.now = ends - timedelta(seconds=1)
    assert await email_sender.send_due(w.d) == 0
    assert smtp.to(w.email_of(night)) == []
    w.now = ends
    assert await email_sender.send_due(w.d) == 1
    assert smtp.to(w.email_of(night))[0]["Subject"] == "Ti è stato assegnato un record"


async def test_a_daily_digest_sends_one_mail_with_the_held_items(
    world: World, smtp: SmtpServer
) -> None:
    w = world
    reader = w.user("ja", "Asia/Tokyo")
    digest = domain.build({"deal_moved": (True, True)}, None, "daily", 9)
    await preferences.update_preferences(reader, digest, w.d)
    await enqueue(w, created(w, reader, title="First"))
    await enqueue(w, created(w, reader, kind="deal_moved", title="Second"))
    rows = await rows_of(w, reader)
    at = datetime(2024, 1, 11, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
    assert [r.kind for r in rows] == ["digest", "digest"]
    assert {r.send_after for r in rows} == {at}
    assert await email_sender.send_due(w.d) == 0
    w.now = at
    assert await email_sender.send_due(w.d) == 1
    [mail] = smtp.to(w.email_of(reader))
    assert mail["Subject"] == "本日のダイジェスト：2 件の通知"  # noqa: RUF001 - Japanese punctuation
    assert "First" in html_part(mail) and "Second" in text_part(mail)
    assert [s for s, _ in await reports(w)] == [email_sender.DELIVERED] * 2


async def test_retries_back_off_and_give_up(world: World, smtp: SmtpServer) -> None:
    w = world
    user = w.user()
    smtp.inbox.refuse_next = 1
    await enqueue(w, created(w, user))
    assert await email_sender.send_due(w.d) == 1
    [row] = await rows_of(w, user)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.send_after == w.now + timedelta(seconds=10) and "451" in row.last_error
    w.now = row.send_after
    assert await email_sender.send_due(w.d) == 1
    assert len(smtp.to(w.email_of(user))) == 1
    # A server that keeps refusing: 10 s, then 20 s, then given up (max 3 attempts).
    doomed = w.user()
    smtp.inbox.refuse_next = 3
    await enqueue(w, created(w, doomed))
    waits = []
    for _ in range(3):
        assert await email_sender.send_due(w.d) == 1
        [row] = await rows_of(w, doomed)
        waits.append(row.send_after - w.now)
        w.now = row.send_after
    assert waits[:2] == [timedelta(seconds=10), timedelta(seconds=20)]
    assert (row.status, row.attempts) == ("failed", 3)
    failed = [r for s, r in await reports(w) if s == email_sender.FAILED_EVENT]
    assert len(failed) == 1 and failed[0].attempts == 3 and "451" in failed[0].error
    assert PASSWORD not in failed[0].error and smtp.to(w.email_of(doomed)) == []


async def test_an_address_that_bounced_after_queueing_is_not_mailed(
    world: World, smtp: SmtpServer
) -> None:
    w = world
    user = w.user()
    await enqueue(w, created(w, user))
    bounce = await preferences.report_bounce(w.admin, w.email_of(user), "hard bounce", w.d)
    assert bounce.address == w.email_of(user).lower()
    assert await email_sender.send_due(w.d) == 1
    assert smtp.to(w.email_of(user)) == []
    [(subject, report)] = await reports(w)
    assert subject == email_sender.FAILED_EVENT and report.error == "address bounced"


async def test_another_services_request_is_sent_once_and_reported(
    world: World, smtp: SmtpServer
) -> None:
    w = world
    request = email_pb2.EmailRequested(
        to_address="lead@customer.example", subject="Spring offer", html_body="<p>Hi</p>",
        text_body="Hi", reference="recipient-42", campaign_id="c-1",
        unsubscribe_url="https://crm.example/u/42",
    )  # fmt: skip
    event = NewEvent(email_requests.REQUESTED, str(w.tenant), "c-1", request)
    for _ in range(2):  # the same event twice
        async with w.d.uow() as uow:
            await email_requests.enqueue_request(uow, build_envelope(event, source="m"), w.d)
            await uow.commit()
    assert await email_sender.send_due(w.d) == 1
    [mail] = smtp.to("lead@customer.example")
    assert mail["Subject"] == "Spring offer"
    assert mail["List-Unsubscribe"] == "<https://crm.example/u/42>"
    assert html_part(mail).strip() == "<p>Hi</p>"
    bad = email_pb2.EmailRequested(to_address="not-an-address", subject="x", text_body="x",
                                   reference="recipient-43")  # fmt: skip
    async with w.d.uow() as uow:
        envelope = build_envelope(
            NewEvent(email_requests.REQUESTED, str(w.tenant), "c", bad), source="m"
        )
        assert not await email_requests.enqueue_request(uow, envelope, w.d)
        await uow.commit()
    outcome = {r.reference: (s, r) for s, r in await reports(w)}
    assert outcome["recipient-42"][0] == email_sender.DELIVERED
    assert outcome["recipient-43"][0] == email_sender.FAILED_EVENT
    assert "to_address" in outcome["recipient-43"][1].error


async def test_email_settings_are_for_admins_and_keep_the_password_secret(
    world: World,
) -> None:
    w = world
    row = await preferences.get_email_settings(w.admin, w.d)
    message = mappers_preferences.email_settings_to_pb(row)
    assert message.password_set and message.configured and message.username == "mailer"
    assert PASSWORD not in str(message) and PASSWORD not in repr(row.__dict__)
    async with w.d.uow() as uow:
        stored = await uow.session.get(EmailSettingsRow, w.tenant)
        assert stored is not None and stored.password_encrypted is not None
        assert PASSWORD.encode() not in stored.password_encrypted
    # No password given: the stored one stays; clear_password removes it.
    keep = EmailSettingsInput("crm@acme.example", "smtp.acme.example", 587, True, "mailer")
    assert (await preferences.update_email_settings(w.admin, keep, w.d)).password_encrypted
    clear = EmailSettingsInput("crm@acme.example", "smtp.acme.example", 25, clear_password=True)
    assert (await preferences.update_email_settings(w.admin, clear, w.d)).password_encrypted is None
    user = w.user()
    someone = Principal(kind="user", tenant_id=str(w.tenant), user_id=str(user.user_id))
    with pytest.raises(PermissionDenied):
        await preferences.get_email_settings(someone, w.d)
    with pytest.raises(PermissionDenied):
        await preferences.report_bounce(someone, "x@y.example", "", w.d)
    for bad, name in [
        (EmailSettingsInput("nope", "smtp.acme.example", 25), "from_address"),
        (EmailSettingsInput("a@b.example", "bad host!", 25), "smtp_host"),
        (EmailSettingsInput("a@b.example", "smtp.acme.example", 0), "smtp_port"),
        (EmailSettingsInput("a@b.example", "smtp.acme.example", 25, password="p"), "username"),
    ]:
        with pytest.raises(InvalidArgument) as caught:
            await preferences.update_email_settings(w.admin, bad, w.d)
        assert caught.value.violations[0].field == name


async def test_preferences_round_trip_with_defaults_and_time_zone(world: World) -> None:
    w = world
    me = w.user("fa", "Asia/Tehran")
    found = mappers_preferences.preferences_to_pb(await preferences.get_preferences(me, w.d))
    assert found.timezone == "Asia/Tehran" and found.digest == "off"
    assert found.channels["assigned"].email and not found.channels["deal_moved"].email
    assert not found.HasField("quiet_hours") and not found.HasField("updated_at")
    request = pb.UpdatePreferencesRequest(
        channels={"deal_moved": pb.ChannelChoice(in_app=False, email=True)},
        quiet_hours=pb.QuietHours(start="22:00", end="07:00"), digest="daily", digest_hour=7,
    )  # fmt: skip
    prefs = mappers_preferences.preferences_from_pb(request)
    saved = await preferences.update_preferences(me, prefs, w.d)
    again = await preferences.update_preferences(me, prefs, w.d)  # a second save updates
    assert again.updated_at is not None and saved.updated_at is not None
    answer = mappers_preferences.preferences_to_pb(await preferences.get_preferences(me, w.d))
    assert not answer.channels["deal_moved"].in_app and answer.channels["deal_moved"].email
    assert answer.channels["assigned"].email  # left out: default
    assert (answer.quiet_hours.start, answer.quiet_hours.end) == ("22:00", "07:00")
    assert (answer.digest, answer.digest_hour) == ("daily", 7)
    other = w.user()
    theirs = await preferences.get_preferences(other, w.d)
    assert theirs.preferences == domain.DEFAULTS
