"""Embedded Redis: the fakeredis TCP server in a child process, shared by every process
on the machine that is given its URL."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import redis as redis_client

from crm_devstack.net import LOCALHOST, free_port
from crm_devstack.processes import stop_process_group
from crm_devstack.waiting import wait_until

READY_TIMEOUT_SECONDS = 10.0
_PORT_ATTEMPTS = 3  # free_port() can race with another process: try a new port then


class EmbeddedRedisError(RuntimeError):
    """The fake Redis child did not come up."""


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


def start_embedded_redis(log_path: Path | None = None) -> EmbeddedRedis:
    """Start the fake Redis on a free port and wait until it answers PING."""
    last_error: Exception | None = None
    for _ in range(_PORT_ATTEMPTS):
        embedded = _spawn(free_port(), log_path)
        try:
            _wait_ready(embedded)
            return embedded
        except EmbeddedRedisError as error:
            last_error = error
            embedded.stop(grace=1.0)
    raise EmbeddedRedisError(f"fake redis did not start: {last_error}")


def _spawn(port: int, log_path: Path | None) -> EmbeddedRedis:
    command = [sys.executable, "-m", "crm_devstack.fake_redis", "--port", str(port)]
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as files:  # the child keeps its own copy of the descriptor
        output = files.enter_context(log_path.open("ab")) if log_path else subprocess.DEVNULL
        process = subprocess.Popen(  # noqa: S603 - this interpreter and our own module
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
        wait_until(answers, timeout=READY_TIMEOUT_SECONDS, description="fake redis PING")
    except TimeoutError as error:
        raise EmbeddedRedisError(str(error)) from error
