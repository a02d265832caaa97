"""SMTP delivery with the standard library (``smtplib`` in a worker thread), and
the box that keeps tenants' SMTP passwords encrypted at rest.

The password lives in ``SmtpConfig.password`` only while a message is sent; it
is left out of ``repr`` and never logged. Errors are described without it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

from cryptography.fernet import Fernet, InvalidToken

IMPLICIT_TLS_PORT = 465


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    from_address: str
    starttls: bool = False
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 15.0


class PermanentFailure(Exception):
    """The server refused for good (5xx): retrying will not help."""


def _send_sync(config: SmtpConfig, message: EmailMessage) -> None:
    tls = ssl.create_default_context()
    client: smtplib.SMTP
    if config.port == IMPLICIT_TLS_PORT:
        client = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=tls)
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    with client:
        client.ehlo()
        if config.starttls and config.port != IMPLICIT_TLS_PORT:
            client.starttls(context=tls)
            client.ehlo()
        if config.username:
            client.login(config.username, config.password)
        try:
            client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused ({codes[0]})") from exc
            raise


async def send_message(config: SmtpConfig, message: EmailMessage) -> None:
    """Send one message; raises on failure (``describe_error`` says what)."""
    await asyncio.to_thread(_send_sync, config, message)


def describe_error(exc: BaseException, config: SmtpConfig) -> str:
    """A short error for the queue row and the failed event, without secrets."""
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        text = f"{type(exc).__name__}: {exc.smtp_code} {detail}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    if config.password:
        text = text.replace(config.password, "***")
    return text[:500]


class PasswordBox:
    """Fernet encryption of SMTP passwords, keyed from a secret of the service."""

    def __init__(self, secret: str) -> None:
        key = base64.urlsafe_b64encode(hashlib.sha256(b"crm-smtp:" + secret.encode()).digest())
        self._fernet = Fernet(key)

    def seal(self, password: str) -> bytes:
        return self._fernet.encrypt(password.encode())

    def open(self, sealed: bytes | None) -> str:
        if not sealed:
            return ""
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken:
            return ""  # the key changed: as if no password were stored
