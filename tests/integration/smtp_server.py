"""A real SMTP server for tests: aiosmtpd's ``Controller`` on 127.0.0.1 (its own
thread), collecting what it receives. Optional AUTH (LOGIN/PLAIN, without TLS
on loopback) with one user, and a switch to refuse the next messages with a
temporary error (451) to exercise retries.

    with smtp_server(username="mailer", password="s3cret") as smtp:
        ...  # point the tenant's settings at smtp.host, smtp.port
        mail = smtp.wait_for(lambda m: m["To"].addresses[0].addr_spec == "x@y.example")
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from crm_devstack.net import LOCALHOST, free_port

Predicate = Callable[[EmailMessage], bool]
# AUTH without TLS is what we want on loopback; aiosmtpd warns on every session.
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")


class Inbox:
    """The aiosmtpd handler: every accepted message, parsed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []
        self.refuse_next = 0  # refuse this many messages with 451 (then accept)
        self.refused = 0
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 try again later"
            raw = envelope.original_content or envelope.content
            parsed = cast(EmailMessage, message_from_bytes(raw, policy=policy.default))
            self._messages.append(parsed)
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def wait_for(self, predicate: Predicate, timeout: float = 15.0) -> EmailMessage:
        """The first message matching, waiting at most ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages:
                if predicate(message):
                    return message
            if time.monotonic() > deadline:
                raise AssertionError(f"no matching e-mail within {timeout} s")
            time.sleep(0.1)


class _Authenticator:
    def __init__(self, inbox: Inbox, username: str, password: str) -> None:
        self._inbox, self._username, self._password = inbox, username, password

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if login == self._username and password == self._password:
                self._inbox.logins.append(login)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


class SmtpServer:
    def __init__(self, username: str = "", password: str = "") -> None:
        self.inbox = Inbox()
        self.host = LOCALHOST
        self.port = free_port()
        auth: dict[str, Any] = {}
        if username:
            auth = {
                "authenticator": _Authenticator(self.inbox, username, password),
                "auth_required": True,
                "auth_require_tls": False,
            }
        self._controller = Controller(self.inbox, hostname=self.host, port=self.port, **auth)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    # shortcuts
    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def to(self, address: str) -> list[EmailMessage]:
        return self.inbox.to(address)

    def wait_for(self, predicate: Predicate, timeout: float = 15.0) -> EmailMessage:
        return self.inbox.wait_for(predicate, timeout)


@contextmanager
def smtp_server(username: str = "", password: str = "") -> Iterator[SmtpServer]:
    server = SmtpServer(username, password).start()
    try:
        yield server
    finally:
        server.stop()


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    return "" if part is None else cast(EmailMessage, part).get_content()


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return "" if part is None else cast(EmailMessage, part).get_content()
