from __future__ import annotations

import subprocess
import sys

import psutil
import redis
from crm_devstack.net import free_port
from crm_devstack.redis import redis_answers_ping, start_embedded_redis


def test_fake_redis_is_shared_between_clients_and_processes() -> None:
    embedded = start_embedded_redis()
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


def test_stop_ends_the_child_and_the_port_goes_quiet() -> None:
    embedded = start_embedded_redis()
    client = redis.Redis.from_url(embedded.url)
    client.ping()  # a connected client must not keep the server alive
    embedded.stop()
    client.close()
    assert not psutil.pid_exists(embedded.pid)
    assert not redis_answers_ping(embedded.url)


def test_ping_probe_is_false_where_nothing_listens() -> None:
    assert not redis_answers_ping(f"redis://127.0.0.1:{free_port()}/0")
