from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import redis

from crm_devstack.net import free_port
from crm_devstack.redis import redis_answers_ping, start_embedded_redis


def test_embedded_redis_is_shared_between_clients_and_processes(tmp_path: Path) -> None:
    embedded = start_embedded_redis(tmp_path)
    try:
        first = redis.Redis.from_url(embedded.url)
        second = redis.Redis.from_url(embedded.url)
        first.set("revoked:abc", "1")
        assert second.get("revoked:abc") == b"1"

        # Another process sees (and changes) the same data: one Redis for the machine.
        script = (
            "import redis, sys; r = redis.Redis.from_url(sys.argv[1]);"
            "assert r.get('revoked:abc') == b'1'; r.incr('counter')"
        )
        subprocess.run([sys.executable, "-c", script, embedded.url], check=True, timeout=30)
        assert first.get("counter") == b"1"
        first.close()
        second.close()
    finally:
        embedded.stop()


def test_stop_ends_the_child_and_the_port_goes_quiet(tmp_path: Path) -> None:
    embedded = start_embedded_redis(tmp_path)
    client = redis.Redis.from_url(embedded.url)
    client.ping()  # a connected client must not keep the server alive
    embedded.stop()
    client.close()
    assert not psutil.pid_exists(embedded.pid)
    assert not redis_answers_ping(embedded.url)


def test_ping_probe_is_false_where_nothing_listens() -> None:
    assert not redis_answers_ping(f"redis://127.0.0.1:{free_port()}/0")


def test_error_replies_scripts_and_restarts_behave_like_redis(tmp_path: Path) -> None:
    embedded = start_embedded_redis(tmp_path)
    client = redis.Redis.from_url(embedded.url)
    try:
        client.set("text", "x")
        with pytest.raises(redis.ResponseError):
            client.incr("text")
        assert client.ping()  # the connection survives an error reply
        assert client.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1, "n", 5) == 5
        assert client.script_load("return 1")
    finally:
        client.close()
        embedded.stop()
    again = start_embedded_redis(tmp_path)  # same data dir: the append-only file is replayed
    try:
        assert redis.Redis.from_url(again.url).get("n") == b"5"
    finally:
        again.stop()
