"""What identity's handlers need, built once by bootstrap.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis

from crm_common.db import UnitOfWork
from identity.adapters.keys import SigningKeys
from identity.adapters.passwords import Passwords
from identity.adapters.throttle import LoginThrottle
from identity.adapters.tokens import AccessTokens
from identity.config import IdentitySettings


@dataclass
class IdentityDeps:
    settings: IdentitySettings
    uow: Callable[[], UnitOfWork]
    passwords: Passwords
    keys: SigningKeys
    access_tokens: AccessTokens
    throttle: LoginThrottle
    redis: Redis
