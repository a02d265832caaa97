"""A dependency that is down reads as UNAVAILABLE (503), a bug as INTERNAL (500)."""

from __future__ import annotations

import grpc
import pytest
from asyncpg import exceptions as pg
from redis import exceptions as redis_errors
from sqlalchemy.exc import DBAPIError, InternalError

from crm_common.grpc.outages import is_outage


def _wrapped(error: Exception, *, invalidated: bool = False) -> DBAPIError:
    """As SQLAlchemy raises a driver error: ``orig`` is the driver's, chained with from."""
    try:
        raise DBAPIError("SELECT 1", {}, error, connection_invalidated=invalidated) from error
    except DBAPIError as wrapped:
        return wrapped


def _rpc_error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), "x")


@pytest.mark.parametrize(
    "error",
    [
        FileNotFoundError(2, "no socket"),  # PostgreSQL's Unix socket is gone
        ConnectionRefusedError(111, "refused"),
        _wrapped(pg.CannotConnectNowError("the database system is shutting down")),
        _wrapped(pg.ConnectionDoesNotExistError("connection was closed")),
        _wrapped(pg.TooManyConnectionsError("sorry, too many clients already")),
        _wrapped(RuntimeError("server closed the connection"), invalidated=True),
        redis_errors.ConnectionError("Error 111 connecting"),
        _rpc_error(grpc.StatusCode.UNAVAILABLE),
        _rpc_error(grpc.StatusCode.DEADLINE_EXCEEDED),
    ],
)
def test_outages(error: Exception) -> None:
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        KeyError("a bug"),
        _wrapped(pg.UniqueViolationError("duplicate key")),
        InternalError("SELECT 1", {}, Exception("another operation is in progress")),
        _rpc_error(grpc.StatusCode.INTERNAL),
        _rpc_error(grpc.StatusCode.PERMISSION_DENIED),
    ],
)
def test_bugs_and_answers_are_not_outages(error: Exception) -> None:
    assert not is_outage(error)
