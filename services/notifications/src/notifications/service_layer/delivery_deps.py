"""What the e-mail channel needs (preferences, e-mail settings, the queue and its
sender), built once by bootstrap.py; tests build it with their own parts."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from crm_common.access import AccessContext
from crm_common.auth import Principal
from crm_common.db import UnitOfWork, utcnow
from notifications.adapters.identity import Contact
from notifications.adapters.smtp import PasswordBox, SmtpConfig, send_message
from notifications.domain.templates import Renderer

# (tenant, user ids) -> the known users' contacts by id
ContactLookup = Callable[[uuid.UUID, Sequence[uuid.UUID]], Awaitable[dict[str, Contact]]]
# the caller's access, resolved by identity
AccessLookup = Callable[[Principal], Awaitable[AccessContext]]
SmtpSend = Callable[[SmtpConfig, EmailMessage], Awaitable[None]]


@dataclass(frozen=True)
class EmailPolicy:
    max_attempts: int = 6
    backoff_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    smtp_timeout_seconds: float = 15.0
    batch: int = 50
    concurrency: int = 4  # e-mails sent at the same time by one replica


@dataclass
class DeliveryDeps:
    uow: Callable[[], UnitOfWork]
    contacts: ContactLookup
    access: AccessLookup
    passwords: PasswordBox
    policy: EmailPolicy = field(default_factory=EmailPolicy)
    send: SmtpSend = send_message
    renderer: Renderer = field(default_factory=Renderer)
    now: Callable[[], datetime] = utcnow
