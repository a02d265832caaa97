"""Which unexpected exceptions mean "a dependency is down" rather than "a bug".

A handler that cannot reach its database (restarting, failing over, socket gone),
Redis, or another service that is itself unavailable answers UNAVAILABLE: 503 at
the gateway, which tells clients to retry and lets the channel retry reads. Every
other unexpected exception stays INTERNAL (500). Found by tests/faults: during a
PostgreSQL restart every request used to answer 500 "internal error".
"""

from __future__ import annotations

import grpc
from asyncpg import exceptions as pg
from redis import exceptions as redis_errors
from sqlalchemy.exc import DBAPIError

_OUTAGES: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, no such socket, timed out
    pg.PostgresConnectionError,  # connection lost or failed (SQLSTATE class 08)
    pg.AdminShutdownError,  # the server is shutting down
    pg.CrashShutdownError,
    pg.CannotConnectNowError,  # starting up, shutting down, in recovery
    pg.TooManyConnectionsError,  # the server's max_connections is reached: retry later
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
)
_UPSTREAM_OUTAGES = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
_MAX_CHAIN = 10


def is_outage(exc: BaseException) -> bool:
    """True when ``exc`` or one of its causes says a dependency is unreachable."""
    current: BaseException | None = exc
    for _ in range(_MAX_CHAIN):
        if current is None:
            return False
        if isinstance(current, _OUTAGES):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, grpc.aio.AioRpcError) and current.code() in _UPSTREAM_OUTAGES:
            return True
        # SQLAlchemy keeps the driver's error in ``orig``; adapters chain with ``from``.
        current = getattr(current, "orig", None) or current.__cause__
    return False
